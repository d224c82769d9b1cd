using System.Diagnostics;

namespace PeftKit.Training;

/// <summary>Peak memory of this process, for the figures a <see cref="TrainingHistory"/> reports.</summary>
public static class ProcessMemory
{
    /// <summary>
    /// Peak resident set size in bytes since the process started: VmHWM from /proc/self/status on Linux, otherwise
    /// <see cref="Process.PeakWorkingSet64"/>.
    /// </summary>
    public static long PeakResidentBytes()
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                        return ParseKilobytes(line) * 1024;
            }
            catch (IOException) { /* fall back below */ }
        }
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
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
