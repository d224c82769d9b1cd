using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

public sealed class SeededComparisonTests
{
    /// <summary>n answers, the first <paramref name="right"/> correct.</summary>
    static bool[] Answers(int n, int right) => [.. Enumerable.Range(0, n).Select(i => i < right)];

    static SeededComparison Compare(bool[][] a, bool[][] b) =>
        SeededComparison.Of([.. Enumerable.Range(42, a.Length)], a, b);

    [Fact]
    public void IdenticalAnswersGiveAZeroGapWithAZeroWidthInterval()
    {
        var same = Answers(200, 150);
        var c = Compare([same, same], [same, same]);
        Assert.Equal((0.0, 0.0, 0.0), (c.MeanDifference, c.Low, c.High));
        Assert.Equal(Verdict.Reproduces, c.ForEquivalence(0.02));
        Assert.Equal(Verdict.DoesNot, c.ForImprovement());
        Assert.Equal(Verdict.NotTested, c.ForEquivalence(0.02, hasSignal: false));
    }

    [Fact]
    public void TheIntervalMatchesTheNormalApproximationOfAKnownGap()
    {
        // One seed, 1,000 examples: B is right on 100 that A gets wrong, and they agree elsewhere. d_i ∈ {0, 1}, mean 0.1,
        // standard error √(0.1·0.9/1000) = 0.00949, so the 95% interval is about 0.1 ± 1.96·0.00949 = [0.0814, 0.1186].
        // The bootstrap's percentile ends differ from that by the binomial's skew (≈ 0.001 here) and by Monte Carlo error
        // (10,000 resamples: ≈ 0.0005): 0.003 is loose enough for both and far tighter than any wrong formula
        // (forgetting the pairing or the square root gives ends off by more than 0.01).
        var c = Compare([Answers(1000, 0)], [Answers(1000, 100)]);
        Assert.Equal(0.1, c.MeanDifference, 12);
        Assert.InRange(c.Low, 0.0814 - 0.003, 0.0814 + 0.003);
        Assert.InRange(c.High, 0.1186 - 0.003, 0.1186 + 0.003);
        Assert.Equal(Verdict.Reproduces, c.ForImprovement());
        Assert.Equal(Verdict.DoesNot, c.ForEquivalence(0.05));                        // the whole interval is above +5 points
    }

    [Fact]
    public void SeedsAverageExampleByExampleAndAStraddlingIntervalIsOnlyADirection()
    {
        // Seed 1: B gains 6 of 300; seed 2: B loses 2. Mean gap (6 − 2) / 300 / 2 = 0.667 points, an interval across 0.
        var a = new[] { Answers(300, 200), Answers(300, 200) };
        var b = new[] { Answers(300, 206), Answers(300, 198) };
        var c = Compare(a, b);
        Assert.Equal(4.0 / 600, c.MeanDifference, 12);
        Assert.Equal([6.0 / 300, -2.0 / 300], c.PerSeed.Select(p => p.Difference));
        Assert.True(c.Low < 0 && c.High > 0, $"interval {c.Low} to {c.High}");
        Assert.Equal(Verdict.DirectionOnly, c.ForImprovement());
        Assert.Equal(Verdict.Reproduces, c.ForEquivalence(0.05));
        Assert.Equal(Verdict.Inconclusive, c.ForEquivalence(0.01));
    }

    [Fact]
    public void GroupsOfOneExampleGiveExactlyTheUngroupedInterval()
    {
        bool[][] a = [Answers(300, 200), Answers(300, 180)], b = [Answers(300, 230), Answers(300, 190)];
        var plain = SeededComparison.Of([42, 43], a, b);
        var singletons = SeededComparison.Of([42, 43], a, b, groups: [.. Enumerable.Range(0, 300).Select(i => 1000 - i)]);
        Assert.Equal((plain.MeanDifference, plain.Low, plain.High), (singletons.MeanDifference, singletons.Low, singletons.High));
    }

    [Fact]
    public void ResamplingGroupsWidensTheIntervalToWhatTheNumberOfGroupsWarrants()
    {
        // 100 passages of 10 words; B is right on every word of 10 passages that A gets wrong. The gap is 0.1 either way.
        // As 1,000 independent words its standard error is √(0.1·0.9/1000) = 0.0095; as 100 passages, √(0.1·0.9/100) =
        // 0.03, so the 95% interval is about 0.1 ± 0.059 (the bootstrap's ends fall on multiples of 0.01, hence ±0.012).
        var groups = Enumerable.Range(0, 1000).Select(i => i / 10).ToArray();
        var words = Compare([Answers(1000, 0)], [Answers(1000, 100)]);
        var passages = SeededComparison.Of([42], [Answers(1000, 0)], [Answers(1000, 100)], groups: groups);
        Assert.Equal(0.1, passages.MeanDifference, 12);
        Assert.InRange(passages.Low, 0.041 - 0.012, 0.041 + 0.012);
        Assert.InRange(passages.High, 0.159 - 0.012, 0.159 + 0.012);
        Assert.True(passages.High - passages.Low > 2.5 * (words.High - words.Low), "grouping must widen the interval about threefold (√10)");
        Assert.Contains("one group per example", Assert.Throws<ArgumentException>(() =>
            SeededComparison.Of([42], [Answers(1000, 0)], [Answers(1000, 100)], groups: groups[..999])).Message);
    }

    [Fact]
    public void TheSameAnswersAlwaysGiveTheSameInterval()
    {
        var a = new[] { Answers(400, 300), Answers(400, 310) };
        var b = new[] { Answers(400, 305), Answers(400, 300) };
        var (x, y) = (Compare(a, b), Compare(a, b));
        Assert.Equal((x.Low, x.High), (y.Low, y.High));
        Assert.Contains("2 seeds × 400 examples", x.ToString());
    }

    [Fact]
    public void EveryVerdictHasItsWords() =>
        Assert.Equal(["reproduces", "direction only", "does not reproduce", "inconclusive", "not tested"], Enum.GetValues<Verdict>().Select(v => v.ToWords()));

    [Fact]
    public void MismatchedSeedsOrExamplesAreRefusedWithTheReason()
    {
        var e = Assert.Throws<ArgumentException>(() => SeededComparison.Of([1, 2], [Answers(10, 5)], [Answers(10, 5), Answers(10, 5)]));
        Assert.Contains("one answer list per seed", e.Message);
        var e2 = Assert.Throws<ArgumentException>(() => SeededComparison.Of([1, 2], [Answers(10, 5), Answers(12, 5)], [Answers(10, 5), Answers(12, 5)]));
        Assert.Contains("same examples", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Compare([Answers(10, 5)], [Answers(10, 5)]).ForEquivalence(0));
    }
}
