using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

/// <summary><see cref="SeededComparison.OfMeans"/>: gaps in a (weighted) mean of per-example values — token F1, a per-token loss.</summary>
public sealed class SeededMeansTests
{
    static readonly int[] Seeds = [42, 43, 44];

    static double[] Values(int n, int seed) { var rng = new Random(seed); return [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble())]; }

    [Fact]
    public void ZeroOneValuesGiveExactlyTheAccuracyComparison()
    {
        // A value of 1 for a right answer makes the mean an accuracy: the same gap and, with the same bootstrap seed, the
        // same resamples and so the same interval to the last bit. A wrong sign, pairing or weighting would move them.
        var rng = new Random(7);
        bool[][] a = [.. Seeds.Select(_ => Enumerable.Range(0, 250).Select(_ => rng.NextDouble() < 0.7).ToArray())];
        bool[][] b = [.. Seeds.Select(_ => Enumerable.Range(0, 250).Select(_ => rng.NextDouble() < 0.8).ToArray())];
        static double[][] AsValues(bool[][] runs) => [.. runs.Select(r => r.Select(x => x ? 1.0 : 0.0).ToArray())];
        var accuracy = SeededComparison.Of(Seeds, a, b);
        var means = SeededComparison.OfMeans(Seeds, AsValues(a), AsValues(b), "accuracy");
        Assert.Equal(accuracy.MeanDifference, means.MeanDifference, 12);
        for (int k = 0; k < Seeds.Length; k++) Assert.Equal(accuracy.PerSeedGaps[k], means.PerSeedGaps[k], 12);
        Assert.Equal((accuracy.Low, accuracy.High), (means.Low, means.High));
        Assert.Empty(means.PerSeed);
        Assert.Equal(250, means.Examples);
    }

    [Fact]
    public void WeightsMakeEachRunsScoreThePerTokenLoss()
    {
        // Example i has tokens[i] answer tokens and nats[i] summed loss: the run's loss per token is Σ nats / Σ tokens,
        // which OfMeans gets from values nats/tokens weighted by tokens. Checked against that sum directly.
        int n = 40;
        var tokens = Enumerable.Range(0, n).Select(i => 1.0 + i % 7).ToArray();
        double[][] natsA = [.. Seeds.Select(s => Values(n, s).Select((x, i) => 5 * x * tokens[i]).ToArray())];
        double[][] natsB = [.. Seeds.Select(s => Values(n, s + 100).Select((x, i) => 4 * x * tokens[i]).ToArray())];
        double[][] PerToken(double[][] nats) => [.. nats.Select(r => r.Select((x, i) => x / tokens[i]).ToArray())];
        var c = SeededComparison.OfMeans(Seeds, PerToken(natsA), PerToken(natsB), "test loss", unit: "nats", higherIsBetter: false, weights: tokens);
        var expected = Seeds.Select((_, k) => natsB[k].Sum() / tokens.Sum() - natsA[k].Sum() / tokens.Sum()).ToArray();
        for (int k = 0; k < Seeds.Length; k++) Assert.Equal(expected[k], c.PerSeedGaps[k], 12);
        Assert.Equal(expected.Average(), c.MeanDifference, 12);
        Assert.InRange(c.MeanDifference, c.Low, c.High);
    }

    [Fact]
    public void ALowerLossIsAnImprovementOnlyWhenLowerIsBetter()
    {
        // B's loss is A's minus 0.1 on every example: every resample's gap is −0.1 exactly.
        double[][] a = [.. Seeds.Select(s => Values(60, s).Select(x => 5 + x).ToArray())];
        double[][] b = [.. a.Select(r => r.Select(x => x - 0.1).ToArray())];
        var loss = SeededComparison.OfMeans(Seeds, a, b, "test loss", unit: "nats", higherIsBetter: false);
        Assert.Equal(-0.1, loss.MeanDifference, 12);
        Assert.Equal(-0.1, loss.Low, 12);
        Assert.Equal(-0.1, loss.High, 12);
        Assert.Equal(Verdict.Reproduces, loss.ForImprovement());
        Assert.Equal(Verdict.DoesNot, SeededComparison.OfMeans(Seeds, a, b, "score").ForImprovement());   // as a score, lower is worse
        Assert.Equal(Verdict.DoesNot, SeededComparison.OfMeans(Seeds, b, a, "test loss", unit: "nats", higherIsBetter: false).ForImprovement());
        Assert.Equal("−0.100 nats of test loss (95% CI −0.100 to −0.100; per seed −0.100 / −0.100 / −0.100; 3 seeds × 60 examples)", loss.ToString());
    }

    [Fact]
    public void BadInputIsRefusedWithTheReason()
    {
        double[][] ok = [.. Seeds.Select(s => Values(10, s))];
        double[][] nan = [.. ok.Select((r, k) => k == 1 ? r.Select((x, i) => i == 3 ? double.NaN : x).ToArray() : r)];
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => SeededComparison.OfMeans(Seeds, ok, nan, "test loss")).Message);
        double[][] shorter = [.. ok.Select((r, k) => k == 2 ? r[..9] : r)];
        Assert.Contains("same 10 examples", Assert.Throws<ArgumentException>(() => SeededComparison.OfMeans(Seeds, ok, shorter, "token F1")).Message);
        Assert.Contains("not all 0", Assert.Throws<ArgumentException>(() => SeededComparison.OfMeans(Seeds, ok, ok, "token F1", weights: new double[10])).Message);
        Assert.Contains("one weight per example", Assert.Throws<ArgumentException>(() => SeededComparison.OfMeans(Seeds, ok, ok, "token F1", weights: new double[9])).Message);
        Assert.Contains("one value list per seed", Assert.Throws<ArgumentException>(() => SeededComparison.OfMeans(Seeds, ok[..2], ok, "token F1")).Message);
    }
}
