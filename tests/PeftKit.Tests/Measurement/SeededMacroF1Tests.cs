using PeftKit.Experiments;
using PeftKit.Measurement;

namespace PeftKit.Tests.Measurement;

/// <summary>
/// The macro-F1 comparison for token labelling: its gap is exactly the difference of <see cref="TokenLabelScores.MacroF1"/>
/// averaged over seeds, its passage bootstrap brackets that gap, and the verdicts read it as for accuracy.
/// </summary>
public sealed class SeededMacroF1Tests
{
    const int Labels = 4;

    /// <summary>A fixed pseudo-random T4-like test set: 1,200 words in 60 passages of 20, label 0 on most words.</summary>
    static (int[] Gold, int[] Groups) TestSet()
    {
        var rng = new Random(7);
        var gold = Enumerable.Range(0, 1200).Select(_ => rng.NextDouble() switch { < 0.80 => 0, < 0.90 => 1, < 0.98 => 2, _ => 3 }).ToArray();
        return (gold, [.. Enumerable.Range(0, 1200).Select(i => i / 20)]);
    }

    /// <summary>A labeller that gets each word right with probability <paramref name="skill"/>, else says a random label.</summary>
    static int[] Labeller(int[] gold, double skill, int seed)
    {
        var rng = new Random(seed);
        return [.. gold.Select(g => rng.NextDouble() < skill ? g : rng.Next(Labels))];
    }

    [Fact]
    public void TheGapIsTheDifferenceOfTheScoresMacroF1AveragedOverSeeds()
    {
        var (gold, groups) = TestSet();
        int[][] a = [Labeller(gold, 0.5, 1), Labeller(gold, 0.6, 2), Labeller(gold, 0.4, 3)];
        int[][] b = [Labeller(gold, 0.7, 4), Labeller(gold, 0.5, 5), Labeller(gold, 0.8, 6)];
        var c = SeededComparison.OfMacroF1([42, 43, 44], gold, a, b, Labels, groups);
        var perSeed = Enumerable.Range(0, 3).Select(k => TokenLabelScores.Of(b[k], gold, Labels).MacroF1 - TokenLabelScores.Of(a[k], gold, Labels).MacroF1).ToArray();
        // Sums of the same counts in another order: equal to rounding (1e-12 is a thousand times float64's error here).
        Assert.Equal(perSeed.Average(), c.MeanDifference, 12);
        for (int k = 0; k < 3; k++) Assert.Equal(perSeed[k], c.PerSeedGaps[k], 12);
        Assert.True(c.Low < c.MeanDifference && c.MeanDifference < c.High, $"{c.Low} … {c.MeanDifference} … {c.High}");
        Assert.Equal("macro F1", c.Metric);
        Assert.Contains("points of macro F1", c.ToString());
        // McNemar on words right: each seed's counts of words only one arm labelled correctly.
        Assert.Equal(gold.Where((g, i) => a[0][i] == g && b[0][i] != g).Count(), c.PerSeed[0].OnlyA);
        Assert.Equal(gold.Where((g, i) => a[0][i] != g && b[0][i] == g).Count(), c.PerSeed[0].OnlyB);
    }

    [Fact]
    public void IdenticalPredictionsGiveAZeroGapAndAClearlyBetterArmReproduces()
    {
        var (gold, groups) = TestSet();
        var same = Labeller(gold, 0.6, 1);
        var tie = SeededComparison.OfMacroF1([42], gold, [same], [same], Labels, groups);
        Assert.Equal((0.0, 0.0, 0.0), (tie.MeanDifference, tie.Low, tie.High));
        Assert.Equal(Verdict.Reproduces, tie.ForEquivalence(0.01));

        // Never punctuating scores macro F1 0; a labeller right on 90% of words is far above it on every resample.
        var silent = new int[gold.Length];
        var good = SeededComparison.OfMacroF1([42, 43], gold, [silent, silent], [Labeller(gold, 0.9, 2), Labeller(gold, 0.9, 3)], Labels, groups);
        Assert.True(good.Low > 0.3, $"interval {good.Low} to {good.High}");
        Assert.Equal(Verdict.Reproduces, good.ForImprovement());
        var reversed = SeededComparison.OfMacroF1([42, 43], gold, [Labeller(gold, 0.9, 2), Labeller(gold, 0.9, 3)], [silent, silent], Labels, groups);
        Assert.Equal(Verdict.DoesNot, reversed.ForImprovement());
    }

    [Fact]
    public void LargerGroupsWidenTheInterval()
    {
        // The same predictions: resampling 60 passages of 20 words must give a wider interval than resampling 1,200 single
        // words when the arms' errors cluster by passage (here: A is silent on the first half of the passages).
        var (gold, groups) = TestSet();
        var b = Labeller(gold, 0.7, 4);
        var a = b.Select((p, i) => groups[i] < 30 ? 0 : p).ToArray();
        var words = SeededComparison.OfMacroF1([42], gold, [a], [b], Labels, [.. Enumerable.Range(0, gold.Length)]);
        var passages = SeededComparison.OfMacroF1([42], gold, [a], [b], Labels, groups);
        Assert.Equal(words.MeanDifference, passages.MeanDifference, 12);
        Assert.True(passages.High - passages.Low > words.High - words.Low, $"passages {passages.Low}…{passages.High}, words {words.Low}…{words.High}");
    }

    [Fact]
    public void MismatchedInputsAreRefusedWithTheReason()
    {
        var (gold, groups) = TestSet();
        var p = Labeller(gold, 0.5, 1);
        Assert.Contains("one prediction list per seed", Assert.Throws<ArgumentException>(() => SeededComparison.OfMacroF1([42, 43], gold, [p], [p, p], Labels, groups)).Message);
        Assert.Contains("same 1200 words", Assert.Throws<ArgumentException>(() => SeededComparison.OfMacroF1([42], gold, [p[..100]], [p], Labels, groups)).Message);
        Assert.Contains("one group per word", Assert.Throws<ArgumentException>(() => SeededComparison.OfMacroF1([42], gold, [p], [p], Labels, groups[..10])).Message);
        Assert.Contains("outside 0", Assert.Throws<ArgumentException>(() => SeededComparison.OfMacroF1([42], gold, [p], [[.. p.Select(x => x + 1)]], Labels, groups)).Message);
    }
}
