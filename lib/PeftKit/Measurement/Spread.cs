using System.Globalization;

namespace PeftKit.Measurement;

/// <summary>
/// How repeated results (one per seed, one per repeat) spread: mean, sample standard deviation (n − 1 in the
/// denominator; 0 for a single value), minimum and maximum. <c>ToString("F3")</c> reads "0.912 ± 0.004 (min 0.908, max 0.916)".
/// </summary>
public sealed record Spread(int Count, double Mean, double StandardDeviation, double Min, double Max) : IFormattable
{
    /// <summary>The spread of these values.</summary>
    /// <exception cref="InvalidOperationException">No values.</exception>
    public static Spread Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.ToArray();
        if (v.Length == 0) throw new InvalidOperationException("No samples to take a spread of.");
        double mean = v.Average();
        double sd = v.Length == 1 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new Spread(v.Length, mean, sd, v.Min(), v.Max());
    }

    /// <summary>"mean ± sd (min a, max b)", every number in <paramref name="format"/> (default "G4").</summary>
    public string ToString(string? format, IFormatProvider? formatProvider = null)
    {
        var f = formatProvider ?? CultureInfo.InvariantCulture;
        format ??= "G4";
        return $"{Mean.ToString(format, f)} ± {StandardDeviation.ToString(format, f)} (min {Min.ToString(format, f)}, max {Max.ToString(format, f)})";
    }

    /// <inheritdoc/>
    public override string ToString() => ToString(null);
}
