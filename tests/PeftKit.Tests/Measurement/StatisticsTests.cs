using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

public sealed class StatisticsTests
{
    [Theory]
    [InlineData(new[] { 3.0 }, 3.0)]
    [InlineData(new[] { 9.0, 1.0, 5.0 }, 5.0)]              // unsorted input, odd count: the middle value
    [InlineData(new[] { 4.0, 1.0, 3.0, 100.0 }, 3.5)]       // even count: the mean of the two middle values; the outlier does not pull it
    [InlineData(new[] { -2.0, -2.0, 7.0, 7.0 }, 2.5)]
    public void MedianIsTheMiddleOfTheSortedValues(double[] values, double median) =>
        Assert.Equal(median, Statistics.Median(values));

    [Fact]
    public void MedianOfNothingSaysSo() =>
        Assert.Contains("No samples", Assert.Throws<InvalidOperationException>(() => Statistics.Median([])).Message);
}
