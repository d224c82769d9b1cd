using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

public sealed class SpreadTests
{
    [Fact]
    public void SpreadUsesTheSampleStandardDeviation()
    {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, so s = √(32 / 7).
        var s = Spread.Of([2, 4, 4, 4, 5, 5, 7, 9]);
        Assert.Equal((8, 5.0, 2.0, 9.0), (s.Count, s.Mean, s.Min, s.Max));
        Assert.Equal(Math.Sqrt(32.0 / 7), s.StandardDeviation, 15);
        Assert.Equal("5.000 ± 2.138 (min 2.000, max 9.000)", s.ToString("F3"));
    }

    [Fact]
    public void OneValueHasNoSpreadAndNoValuesSaySo()
    {
        Assert.Equal(0, Spread.Of([0.75]).StandardDeviation);
        Assert.Contains("No samples", Assert.Throws<InvalidOperationException>(() => Spread.Of([])).Message);
    }
}
