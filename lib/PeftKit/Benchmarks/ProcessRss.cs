using System.Runtime.InteropServices;

namespace PeftKit.Benchmarks;

/// <summary>Linux resident-set readings for a per-segment peak: give freed heap back to the OS, reset the kernel's
/// high-water mark (/proc/self/clear_refs, value 5), then read VmHWM. Elsewhere the readings are 0 (unknown).</summary>
internal static partial class ProcessRss
{
    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    /// <summary>Frees managed garbage and trims glibc's heap so the next segment starts from what is really in use.</summary>
    public static void Release()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        if (!OperatingSystem.IsLinux()) return;
        try { MallocTrim(0); } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }

    /// <summary>Resets VmHWM to the current RSS; false where the kernel does not allow it.</summary>
    public static bool ResetPeak()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Current resident bytes (VmRSS).</summary>
    public static long Current() => Read("VmRSS:");

    /// <summary>Peak resident bytes since the last reset (VmHWM).</summary>
    public static long Peak() => Read("VmHWM:");

    static long Read(string key)
    {
        if (!OperatingSystem.IsLinux()) return 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }
}
