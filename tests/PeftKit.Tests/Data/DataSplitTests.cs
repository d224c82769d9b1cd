using PeftKit.Data;
using PeftKit.Data.Build;
using PeftKit.Data.Dedup;

namespace PeftKit.Tests.Data;

/// <summary>Properties of the committed splits: no overlap, no leakage into pretraining, the documented rules hold.</summary>
public sealed class DataSplitTests
{
    static readonly string Root = DataRoot.FindFrom(AppContext.BaseDirectory)!;
    static readonly Split[] Splits = [Split.Train, Split.Dev, Split.Test];

    static void AssertDisjoint<T>(string what, Func<Split, IEnumerable<T>> keys)
    {
        var sets = Splits.ToDictionary(s => s, s => keys(s).ToHashSet());
        foreach (var a in Splits)
            foreach (var b in Splits.Where(b => b > a))
            {
                var shared = sets[a].Intersect(sets[b]).Take(3).ToList();
                Assert.True(shared.Count == 0, $"{what}: {a} and {b} share {string.Join(" | ", shared)}");
            }
    }

    [Fact]
    public void SpamSplitsShareNoNormalisedTextNoIdAndNoThread()
    {
        AssertDisjoint("T1 normalised text", s => KitData.Classification(TaskName.SpamHam, s, Root).Select(e => TextKey.Normalize(e.Text)));
        AssertDisjoint("T1 id", s => KitData.Classification(TaskName.SpamHam, s, Root).Select(e => e.Id));
        AssertDisjoint("T3 subject (thread)", s => KitData.Generation(TaskName.EmailSubject, s, Root).Select(e => TextKey.Normalize(e.Target)));
    }

    [Fact]
    public void SpamTextsAreTruncatedAndUniqueWithinEachSplit()
    {
        foreach (var split in Splits)
        {
            var t1 = KitData.Classification(TaskName.SpamHam, split, Root);
            Assert.All(t1, e => Assert.InRange(e.Text.Length, 1, DataBuilder.MaxEmailChars));
            Assert.Equal(t1.Count, t1.Select(e => TextKey.Normalize(e.Text)).Distinct().Count());
        }
    }

    [Fact]
    public void HardHamIsInTheTestSplitAsHam()
    {
        var test = KitData.Classification(TaskName.SpamHam, Split.Test, Root);
        Assert.Contains(test, e => e.Group == "hard-ham-1");
        Assert.All(test.Where(e => e.Group.Contains("ham")), e => Assert.Equal(0, e.Label));
        Assert.All(test.Where(e => e.Group.StartsWith("spam")), e => Assert.Equal(1, e.Label));
    }

    [Fact]
    public void SubjectTaskUsesOnlyHamFromTheSameSpamSplit()
    {
        var t1 = Splits.ToDictionary(s => s, s => KitData.Classification(TaskName.SpamHam, s, Root).ToDictionary(e => e.Id));
        foreach (var split in Splits)
            foreach (var g in KitData.Generation(TaskName.EmailSubject, split, Root))
            {
                Assert.True(t1[split].TryGetValue(g.Id, out var source), $"T3 {split} {g.Id} is not in T1 {split}");
                Assert.Equal(0, source.Label);
                Assert.Equal(source.Text, g.Source);
                Assert.InRange(g.Target.Length, 1, PeftKit.Data.Tasks.SubjectLine.MaxChars);
                Assert.DoesNotMatch(@"^(?i)(re|fwd?)\s*:", g.Target);
            }
    }

    [Fact]
    public void PartySplitsShareNoSpeechAndNoNormalisedText()
    {
        AssertDisjoint("T2 speech", s => KitData.Classification(TaskName.SotuParty, s, Root).Select(e => e.Group));
        AssertDisjoint("T2 normalised text", s => KitData.Classification(TaskName.SotuParty, s, Root).Select(e => TextKey.Normalize(e.Text)));
        foreach (var split in Splits)
        {
            var t2 = KitData.Classification(TaskName.SotuParty, split, Root);
            // File stems end in the party code: _d Democratic, _r Republican.
            Assert.All(t2, e => Assert.Equal(e.Group.EndsWith("_d") ? 0 : e.Group.EndsWith("_r") ? 1 : -1, e.Label));
            Assert.All(t2, e => Assert.True(e.Text.Length >= PeftKit.Data.Tasks.Passages.MinChars, $"{e.Id} is shorter than {PeftKit.Data.Tasks.Passages.MinChars} chars"));
        }
    }

    [Fact]
    public void PretrainingTextHoldsNoDownstreamDevOrTestText()
    {
        var docs = KitData.PretrainingDocuments(Root);
        var pretrainIds = docs.Select(d => d.Id).ToHashSet();
        var index = new NGramIndex(docs.Select(d => d.Text), DataBuilder.ContaminationWords);
        foreach (var split in new[] { Split.Dev, Split.Test })
        {
            var t2 = KitData.Classification(TaskName.SotuParty, split, Root);
            Assert.DoesNotContain(t2, e => pretrainIds.Contains(e.Group));
            Assert.DoesNotContain(t2, e => index.SharesAnyWith(e.Text));
            Assert.DoesNotContain(KitData.Classification(TaskName.SpamHam, split, Root), e => index.SharesAnyWith(e.Text));
            Assert.DoesNotContain(KitData.Generation(TaskName.EmailSubject, split, Root), e => index.SharesAnyWith(e.Source));
        }
        // The train speeches are in the pretraining text (the check above is not vacuous).
        var train = KitData.Classification(TaskName.SotuParty, Split.Train, Root);
        Assert.All(train.Select(e => e.Group).Distinct(), id => Assert.Contains(id, pretrainIds));
        Assert.Contains(docs, d => d.Source == "moby-dick" && d.Text.Contains("Call me Ishmael."));
    }
}
