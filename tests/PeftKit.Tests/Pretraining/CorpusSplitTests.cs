using PeftKit.Data;
using PeftKit.Pretraining;

namespace PeftKit.Tests.Pretraining;

/// <summary>The validation slice is made of whole documents, disjoint from training, and fixed by the seed.</summary>
public sealed class CorpusSplitTests
{
    static readonly PretrainingDocument[] Docs =
        [.. Enumerable.Range(0, 40).Select(i => new PretrainingDocument("sotu", $"d{i}", new string('x', 1000 + 37 * i)))];

    [Fact]
    public void SplitIsByDocumentDisjointAndHoldsTheShare()
    {
        var split = CorpusSplit.ByDocument(Docs, 0.1, seed: 9);
        var train = split.Train.Select(d => d.Id).ToHashSet();
        Assert.DoesNotContain(split.Validation, d => train.Contains(d.Id));
        Assert.Equal(Docs.Length, split.Train.Count + split.Validation.Count);
        long total = Docs.Sum(d => (long)d.Text.Length), held = split.Validation.Sum(d => (long)d.Text.Length);
        // Whole documents are added until the share is reached, so it overshoots by less than one document (≤ 2,443 chars).
        Assert.InRange(held, (long)(0.1 * total), (long)(0.1 * total) + 2443);
        Assert.Equal(split.Validation.Select(d => d.Id), CorpusSplit.ByDocument(Docs, 0.1, seed: 9).Validation.Select(d => d.Id));
        Assert.NotEqual(split.Validation.Select(d => d.Id), CorpusSplit.ByDocument(Docs, 0.1, seed: 10).Validation.Select(d => d.Id));
    }

    [Fact]
    public void SliceUsesAboutTheBudget()
    {
        var split = CorpusSplit.ByDocument(Docs, 0.2, seed: 1, maxCharacters: 10_000);
        long used = split.Train.Concat(split.Validation).Sum(d => (long)d.Text.Length);
        Assert.InRange(used, 10_000, 10_000 + 2 * 2443);
        Assert.NotEmpty(split.Train);
        Assert.NotEmpty(split.Validation);
    }

    [Fact]
    public void OneDocumentCannotBeSplit()
    {
        var e = Assert.Throws<ArgumentException>(() => CorpusSplit.ByDocument(Docs[..1], 0.1, 1));
        Assert.Contains("at least 2 documents", e.Message);
    }
}
