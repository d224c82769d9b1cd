namespace PeftKit.Tests.Training;

/// <summary>Garbage collection forced nonstop from another thread: what makes a scalar freed mid-call show up in a test.</summary>
internal static class ForcedCollections
{
    /// <summary>Runs <paramref name="work"/> while a background thread calls GC.Collect and WaitForPendingFinalizers in a loop.</summary>
    internal static T During<T>(Func<T> work)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            return work();
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }
}
