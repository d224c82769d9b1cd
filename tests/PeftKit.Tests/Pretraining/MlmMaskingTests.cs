using PeftKit.Pretraining;

namespace PeftKit.Tests.Pretraining;

/// <summary>BERT's 15% / 80-10-10 corruption, checked statistically on a fixed seed.</summary>
public sealed class MlmMaskingTests
{
    const int Vocab = 1000, FirstOrdinary = 6, Mask = 4;

    // Tolerance: each count is binomial(n, p); we allow 4 standard deviations, sqrt(n p (1 − p)). For any seed a
    // correct implementation leaves this band with probability ≈ 6e-5 per check, while a wrong share (e.g. 20% or
    // 12% selected instead of 15%, or 70/20/10) is > 30σ away at these sample sizes, so the test cannot pass by luck.
    static void AssertBinomial(long observed, long n, double p, string what)
    {
        double mean = n * p, sd = Math.Sqrt(n * p * (1 - p));
        Assert.True(Math.Abs(observed - mean) <= 4 * sd,
            $"{what}: observed {observed} of {n}, expected {mean:F0} ± {4 * sd:F0} (4σ).");
    }

    [Fact]
    public void SelectsFifteenPercentOfOrdinaryTokensAndSplitsThem80_10_10()
    {
        var data = new Random(123);
        var original = new long[400_000];
        for (int i = 0; i < original.Length; i++)
            original[i] = data.NextDouble() < 0.1 ? data.Next(0, FirstOrdinary) : data.Next(FirstOrdinary, Vocab);   // 10% specials
        var ids = (long[])original.Clone();
        var labels = new MlmMasking(Mask, FirstOrdinary, Vocab).Apply(ids, new Random(7));

        long eligible = 0, selected = 0, masked = 0, random = 0, kept = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            bool special = original[i] < FirstOrdinary;
            if (!special) eligible++;
            if (labels[i] == MlmMasking.IgnoreLabel)
            {
                Assert.Equal(original[i], ids[i]);                    // not selected → untouched
                continue;
            }
            Assert.False(special, $"special id {original[i]} at {i} was selected");
            Assert.Equal(original[i], labels[i]);                    // the label is the original token
            selected++;
            if (ids[i] == Mask) masked++;
            else if (ids[i] == original[i]) kept++;
            else
            {
                random++;
                Assert.InRange(ids[i], FirstOrdinary, Vocab - 1);     // random replacements are ordinary tokens
            }
        }
        AssertBinomial(selected, eligible, 0.15, "selected");
        AssertBinomial(masked, selected, 0.8, "[MASK]");
        // A random draw equals the original with probability 1/K (K ordinary ids); it then reads as "kept".
        double k = Vocab - FirstOrdinary;
        AssertBinomial(random, selected, 0.1 * (1 - 1 / k), "random");
        AssertBinomial(kept, selected, 0.1 + 0.1 / k, "kept");
    }

    [Fact]
    public void SameSeedGivesSameMasks()
    {
        long[] Run() { var ids = Enumerable.Range(0, 5000).Select(i => (long)(i % 900 + 6)).ToArray(); new MlmMasking(Mask, FirstOrdinary, Vocab).Apply(ids, new Random(3)); return ids; }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void RejectsAMaskIdThatIsNotSpecial()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new MlmMasking(maskId: 10, firstOrdinaryId: 6, vocabSize: 100));
        Assert.Contains("[MASK] id must be a special id", e.Message);
    }
}
