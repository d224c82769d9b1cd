using PeftKit.Data;
using PeftKit.Text;

namespace PeftKit.Tests.Text;

/// <summary>
/// The compact vocabulary with byte fallback: any text round-trips exactly and [UNK] is never produced, on every corpus
/// the kit ships (not only on text built to fit), while the vocabulary keeps its size.
/// </summary>
public sealed class ByteFallbackTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("peftkit-bytes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A vocabulary built from a few words, so that almost everything else must fall back to bytes.
    static CompactTokenizer Small() => CompactTokenizer.Build(["the whale, the sea and the ship"], vocabSize: 300);

    [Fact]
    public void LayoutIsSpecialsThenBytesThenKeptTokens()
    {
        var tok = Small();
        Assert.True(tok.ByteFallback);
        Assert.Equal(6 + 256, tok.FirstKeptId);
        Assert.InRange(tok.VocabSize, tok.FirstKeptId + 1, 300);
        Assert.Equal(6 + 'A', tok.ByteId((byte)'A'));
        Assert.Equal("A", tok.TokenOf(tok.ByteId((byte)'A')));
        Assert.Equal([tok.ByteId((byte)'Z')], tok.Encode("Z"));   // a single-byte token is spelled with its byte id, never kept twice
        Assert.All(tok.Encode(" the whale"), id => Assert.True(id >= tok.FirstKeptId, $"id {id}"));   // kept multi-byte tokens
    }

    [Theory]
    [InlineData("Hayes Accura ISDN PCI")]
    [InlineData("naïve café — “quoted” ‘text’ … ½ €")]
    [InlineData("emoji 🐋 and CJK 鯨 and a combining e\u0301")]
    [InlineData("tabs\tand\r\nnewlines\n\n  and   spaces ")]
    [InlineData("[UNK] [PAD] written as text, and <|endoftext|> the special")]
    public void AnyTextRoundTripsWithoutUnknown(string text)
    {
        var tok = Small();
        var ids = tok.Encode(text);
        Assert.DoesNotContain(tok.UnknownId, ids);
        Assert.Equal(text, tok.Decode(ids));
    }

    [Fact]
    public void EveryCorpusInDataRoundTripsExactly()
    {
        // The vocabulary the bases use: 4,096 ids built from the pretraining documents.
        var documents = KitData.PretrainingDocuments();
        var tok = CompactTokenizer.Build(documents.Select(d => d.Text), vocabSize: 4096);
        Assert.Equal(4096, tok.VocabSize);
        var corpora = new List<(string Name, IEnumerable<string> Texts)> { ("pretrain", documents.Select(d => d.Text)) };
        foreach (var split in Enum.GetValues<Split>())
        {
            corpora.Add(($"t1-spam/{split}", KitData.Classification(TaskName.SpamHam, split).Select(e => e.Text)));
            corpora.Add(($"t2-party/{split}", KitData.Classification(TaskName.SotuParty, split).Select(e => e.Text)));
            corpora.Add(($"t3-subject/{split}", KitData.Generation(TaskName.EmailSubject, split).SelectMany(e => new[] { e.Source, e.Target })));
        }
        foreach (var (name, texts) in corpora)
        {
            int count = 0;
            foreach (var text in texts)
            {
                var ids = tok.Encode(text);
                Assert.True(!ids.Contains(tok.UnknownId), $"{name}: text {count} encodes to [UNK]");
                var back = tok.Decode(ids);
                Assert.True(back == text, $"{name}: text {count} does not round-trip; first difference at char {FirstDifference(text, back)}");
                count++;
            }
            Assert.True(count > 0, $"{name} is empty");
        }
    }

    [Fact]
    public void SavesAndLoadsWithByteFallback()
    {
        var tok = Small();
        var path = Path.Combine(_dir, "tokenizer.json");
        tok.Save(path);
        Assert.Contains("\"byte_fallback\":true", File.ReadAllText(path));
        var loaded = CompactTokenizer.Load(path);
        Assert.True(loaded.ByteFallback);
        Assert.Equal(tok.VocabSize, loaded.VocabSize);
        const string text = "Ahab's 🐋 of 1851";
        Assert.Equal(tok.Encode(text), loaded.Encode(text));
    }

    [Fact]
    public void FilesWithoutTheFlagLoadAsBefore()
    {
        // A vocabulary saved before byte fallback has no "byte_fallback" field: it must keep its ids and its [UNK].
        var legacy = CompactTokenizer.Build(["the whale, the sea and the ship"], vocabSize: 300, byteFallback: false);
        var path = Path.Combine(_dir, "tokenizer.json");
        legacy.Save(path);
        Assert.DoesNotContain("byte_fallback", File.ReadAllText(path));
        var loaded = CompactTokenizer.Load(path);
        Assert.False(loaded.ByteFallback);
        Assert.Equal(6, loaded.FirstKeptId);
        Assert.Contains(loaded.UnknownId, loaded.Encode("Zanzibar"));
        Assert.Throws<InvalidOperationException>(() => loaded.ByteId(65));
    }

    [Fact]
    public void AVocabularyTooSmallForTheBytesIsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => CompactTokenizer.Build(["text"], vocabSize: 262));
        Assert.Contains("6 specials and 256 bytes", e.Message);
    }

    static int FirstDifference(string a, string b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        return i;
    }
}
