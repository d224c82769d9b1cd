using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

public sealed class PairedComparisonTests
{
    static bool[] Bits(string s) => s.Select(c => c == '1').ToArray();

    [Fact]
    public void OnlyTheDiscordantExamplesCount()
    {
        //                                      both right · only A · only B · both wrong
        var c = PairedComparison.Of(Bits("11110" + "1100" + "0"), Bits("11110" + "0000" + "1"));
        Assert.Equal((10, 2, 1), (c.Count, c.OnlyA, c.OnlyB));
        Assert.Equal(-0.1, c.Difference, 15);
    }

    [Theory]
    // Exact values: 2·Σ_{i≤k} C(n,i)/2ⁿ. (k=1, n=3): 2·4/8 = 1 → capped; (0, 5): 2/32; (2, 10): 2·56/1024; (1, 12): 2·13/4096.
    [InlineData(1, 2, 1.0)]
    [InlineData(0, 5, 0.0625)]
    [InlineData(2, 8, 0.109375)]
    [InlineData(1, 11, 0.00634765625)]
    [InlineData(0, 0, 1.0)]
    public void ThePValueIsTheExactTwoSidedBinomialTail(int onlyA, int onlyB, double expected)
    {
        var c = new PairedComparison(100, onlyA, onlyB);
        // Sums of a dozen exp(log) terms: relative error ≲ 1e-14.
        Assert.Equal(expected, c.PValue, 12);
        Assert.Equal(c.PValue, new PairedComparison(100, onlyB, onlyA).PValue, 15);   // symmetric in A and B
    }

    [Fact]
    public void LargeCountsNeitherOverflowNorUnderflow()
    {
        // n = 4000 discordant, split evenly: the tail is just over ½, so p = 1; a 1,900/2,100 split is about 3.2 standard
        // deviations (√4000/2 ≈ 31.6) from even, p ≈ 0.0016 by the normal approximation with continuity correction.
        Assert.Equal(1.0, new PairedComparison(5000, 2000, 2000).PValue);
        double p = new PairedComparison(5000, 1900, 2100).PValue;
        Assert.InRange(p, 0.0014, 0.0018);
    }

    [Fact]
    public void MismatchedOrEmptyAnswerListsAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => PairedComparison.Of(Bits("101"), Bits("10")));
        Assert.Contains("same examples", e.Message);
        Assert.Throws<ArgumentException>(() => PairedComparison.Of([], []));
    }
}
