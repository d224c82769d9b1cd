namespace PeftKit.Measurement;

/// <summary>The summaries the kit reports of repeated measurements (step times, latencies, peaks): medians, not means, since these machines are noisy.</summary>
public static class Statistics
{
    /// <summary>The median (the mean of the two middle values for an even count).</summary>
    /// <exception cref="InvalidOperationException">No values.</exception>
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.Order().ToArray();
        if (v.Length == 0) throw new InvalidOperationException("No samples to take a median of.");
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
    }
}
