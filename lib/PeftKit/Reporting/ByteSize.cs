using System.Globalization;

namespace PeftKit.Reporting;

/// <summary>Byte counts for people: binary units (KiB = 1,024 bytes), three significant digits.</summary>
public static class ByteSize
{
    static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB"];

    /// <summary>E.g. 512 → "512 B", 1,433,600 → "1.37 MiB", 17,102,926 → "16.3 MiB", 497,664,000 → "475 MiB".</summary>
    public static string Format(double bytes)
    {
        if (!double.IsFinite(bytes)) throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "A byte count must be a finite number.");
        double value = Math.Abs(bytes);
        int unit = 0;
        while (value >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        // Rounding can carry into the next unit (1023.9 KiB prints as "1024 KiB" with F0): step up instead.
        if (unit > 0 && Math.Round(value) >= 1024 && unit < Units.Length - 1) { value /= 1024; unit++; }
        string digits = unit == 0 ? "F0" : value < 9.995 ? "F2" : value < 99.95 ? "F1" : "F0";
        return (bytes < 0 ? "-" : "") + value.ToString(digits, CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}
