using PeftKit.Data;
using PeftKit.Data.Dedup;
using PeftKit.Data.Tasks;

namespace PeftKit.Tests.Data;

/// <summary>The cleaning rules the README states: dedup, passages, punctuation labels, subject cleaning.</summary>
public sealed class TextProcessingTests
{
    static string Words(int start, int count) => string.Join(' ', Enumerable.Range(start, count).Select(i => $"w{i}"));

    [Fact]
    public void ExactDuplicatesIgnoreCasePunctuationAndSpacing()
    {
        var f = new NearDuplicateFilter();
        Assert.True(f.TryAdd("Hello,   World! Buy now."));
        Assert.False(f.TryAdd("hello world buy NOW"));
        Assert.Equal(1, f.ExactDuplicates);
    }

    [Fact]
    public void NearDuplicateThresholdIsJaccardOfWordFiveShingles()
    {
        // 300 words → 296 shingles. Changing one middle word changes the 5 shingles that contain it: J = 291/301 = 0.967 ≥ 0.9 → dropped.
        // Changing 10 words spread apart (every 30th) changes 50 shingles: J = 246/346 = 0.711 < 0.9 → kept.
        var baseText = Words(0, 300);
        var f = new NearDuplicateFilter();
        Assert.True(f.TryAdd(baseText));
        var oneChanged = Words(0, 150) + " other " + Words(151, 149);
        Assert.Equal(291.0 / 301, NearDuplicateFilter.Jaccard(
            NearDuplicateFilter.Shingles(TextKey.Normalize(baseText)), NearDuplicateFilter.Shingles(TextKey.Normalize(oneChanged))), 12);
        Assert.False(f.TryAdd(oneChanged));
        Assert.Equal(1, f.NearDuplicates);
        var tenChanged = string.Join(' ', Enumerable.Range(0, 300).Select(i => i % 30 == 15 ? $"x{i}" : $"w{i}"));
        Assert.Equal(246.0 / 346, NearDuplicateFilter.Jaccard(
            NearDuplicateFilter.Shingles(TextKey.Normalize(baseText)), NearDuplicateFilter.Shingles(TextKey.Normalize(tenChanged))), 12);
        Assert.True(f.TryAdd(tenChanged));
    }

    [Fact]
    public void PassagesAreWholeSentencesOfAtLeastTheTarget()
    {
        var sentence = "This sentence has exactly fifty characters in it. "; // 50 chars incl. trailing space
        Assert.Equal(50, sentence.Length);
        var speech = string.Concat(Enumerable.Repeat(sentence, 20)); // 1000 chars → passages of 8 sentences (399 chars + …)
        var passages = Passages.Split(speech);
        // 8 sentences joined = 8*49 + 7 = 399 < 400, so 9 sentences (449 chars) close a passage; 20 = 9 + 9 + 2,
        // and the final 2 sentences (99 chars) are below the 200-char minimum and dropped.
        Assert.Equal(2, passages.Count);
        Assert.All(passages, p => Assert.Equal(449, p.Length));
        Assert.Equal(["Mr. Smith went.", "He said \"Stop!\"", "Then 3 left?", "Yes."], Passages.Sentences("Mr. Smith went.  He said \"Stop!\" Then 3 left? Yes."));
        Assert.Equal(["The U.S. Army and John F. Kennedy agree.", "Gen. Grant did too."], Passages.Sentences("The U.S. Army and John F. Kennedy agree. Gen. Grant did too."));
    }

    [Fact]
    public void PunctuationLabelsComeFromTheTextItself()
    {
        var e = PunctuationLabels.FromText("Fellow-Citizens: we meet, \"again.\" Why now? Because — we must!");
        Assert.Equal(["fellow-citizens", "we", "meet", "again", "why", "now", "because", "we", "must"], e.Words);
        Assert.Equal([1, 0, 1, 2, 0, 3, 0, 0, 2], e.Labels);
    }

    [Fact]
    public void SubjectsLoseReplyMarkersAndListTags()
    {
        Assert.Equal("New Sequences Window", SubjectLine.Clean("Re: [exmh]  RE: Fwd:New Sequences   Window"));
        Assert.Equal("Re-think this", SubjectLine.Clean("Re-think this"));
        Assert.Equal(SubjectLine.ThreadKey("[ILUG] Re: Hello, World"), SubjectLine.ThreadKey("RE: hello world"));
    }

    [Fact]
    public void TokenLabelExampleRejectsMismatchedLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new TokenLabelExample(["a", "b"], [0], "x"));
        Assert.StartsWith("Token labelling example 'x': 2 words but 1 labels", e.Message);
    }
}
