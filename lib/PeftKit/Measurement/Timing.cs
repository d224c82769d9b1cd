using System.Diagnostics;

namespace PeftKit.Measurement;

/// <summary>Wall-clock timing of a piece of work, as the bench and the notebooks measure latencies.</summary>
public static class Timing
{
    /// <summary>Runs <paramref name="work"/> once and returns how long it took, in milliseconds.</summary>
    public static double Milliseconds(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        long start = Stopwatch.GetTimestamp();
        work();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
