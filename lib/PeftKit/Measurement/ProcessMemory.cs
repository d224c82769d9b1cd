using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PeftKit.Measurement;

/// <summary>
/// This process's resident memory, for the peak-memory figures of training runs, experiments and <c>kit bench</c>.
/// On Linux the readings come from /proc/self/status (VmRSS, VmHWM) and a per-segment peak is possible: give freed heap
/// back to the OS (<see cref="Release"/>), reset the kernel's high-water mark (<see cref="ResetPeak"/>), run, read
/// <see cref="PeakResidentBytes"/>. Elsewhere the peak is the process's since it started and the current reading is 0.
/// </summary>
public static partial class ProcessMemory
{
    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>Peak resident bytes since the process started or the last <see cref="ResetPeak"/> (VmHWM; elsewhere <see cref="Process.PeakWorkingSet64"/>).</summary>
    public static long PeakResidentBytes()
    {
        if (OperatingSystem.IsLinux() && TryRead("VmHWM:") is long peak)
            return peak;
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>Current resident bytes (VmRSS); 0 where unknown (not Linux).</summary>
    public static long CurrentResidentBytes() => OperatingSystem.IsLinux() ? TryRead("VmRSS:") ?? 0 : 0;

    /// <summary>Resets the peak to the current resident size (/proc/self/clear_refs, value 5); false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Frees managed garbage and trims glibc's heap, so that the next segment starts from what is really in use.</summary>
    public static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    static long? TryRead(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return ParseKilobytes(line) * 1024;
        }
        catch (IOException) { }
        return null;
    }

    /// <summary>Parses a /proc status line such as "VmHWM:\t  123456 kB" into kilobytes.</summary>
    internal static long ParseKilobytes(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || parts[2] != "kB" || !long.TryParse(parts[1], out var kb))
            throw new FormatException($"Unexpected /proc/self/status line: '{line}'.");
        return kb;
    }
}
