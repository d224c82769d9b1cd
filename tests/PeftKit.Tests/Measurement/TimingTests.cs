using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

public sealed class TimingTests
{
    [Fact]
    public void TimingRunsTheWorkOnceAndReportsANonNegativeDuration()
    {
        int runs = 0;
        double ms = Timing.Milliseconds(() => runs++);
        Assert.Equal(1, runs);
        Assert.True(ms >= 0 && double.IsFinite(ms), $"{ms} ms");
    }
}
