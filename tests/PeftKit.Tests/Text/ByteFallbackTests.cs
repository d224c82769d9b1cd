using PeftKit.Data;
using PeftKit.Text;

namespace PeftKit.Tests.Text;

/// <summary>
/// The compact vocabulary as byte-level BPE: any text round-trips exactly and [UNK] is never produced, on every corpus
/// the kit ships (not only on text built to fit), while the vocabulary keeps its size.
/// </summary>
public sealed class ByteFallbackTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("peftkit-bytes-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A vocabulary learnt from a few words, so that almost everything else must fall back to bytes.
    static CompactTokenizer Small() => CompactTokenizer.Build(["the whale, the sea and the ship"], vocabSize: 300);

    [Fact]
    public void LayoutIsSpecialsThenBytesThenMerges()
    {
        var tok = Small();
        Assert.True(tok.ByteFallback);
        Assert.InRange(tok.VocabSize, 6 + 256 + 1, 300);
        Assert.Equal(6 + 'A', tok.ByteId((byte)'A'));
        Assert.True(tok.IsByteId(6) && tok.IsByteId(261) && !tok.IsByteId(5) && !tok.IsByteId(262));
        Assert.Equal("A", tok.TokenOf(tok.ByteId((byte)'A')));
        Assert.Equal([tok.ByteId((byte)'Z')], tok.Encode("Z"));           // an unseen single byte is its byte id
        var the = Assert.Single(tok.Encode(" the"));                     // " the" occurs 3 times: merged into one id
        Assert.True(the >= 262, $"{the}");
        Assert.Equal(" the", tok.TokenOf(the));
        Assert.True(tok.Encode(" whales").Count > 1);                    // unseen: pieces and bytes, never [UNK]
    }

    [Fact]
    public void TrainerMergesTheMostFrequentPairFirst()
    {
        // Sennrich et al. (2016)'s example: low ×5, lower ×2, newest ×6, widest ×3. The first merges are
        // e s (9), es t (9), l o (7), lo w (7): ties go to the smaller pair, so (e, s) before (l, o).
        static (byte[], long) W(string w, long n) => (System.Text.Encoding.ASCII.GetBytes(w), n);
        var merges = BytePairTrainer.Train([W("low", 5), W("lower", 2), W("newest", 6), W("widest", 3)], mergeCount: 4, firstByteId: 0);
        int Sym(char c) => c;
        Assert.Equal([(Sym('e'), Sym('s')), (256, Sym('t')), (Sym('l'), Sym('o')), (258, Sym('w'))], merges);
        // Training stops when no pair occurs twice.
        Assert.Empty(BytePairTrainer.Train([W("ab", 1), W("cd", 1)], mergeCount: 10, firstByteId: 0));
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ByteCountsSumToTheTextsUtf8Length(bool byteFallback)
    {
        // What bits per byte divides by: every id's share of the text, [UNK] included, end-of-text nothing.
        var tok = CompactTokenizer.Build(["the whale, the sea and the ship"], vocabSize: 300, byteFallback);
        const string text = "Ahab's 🐋 — naïve whale<|endoftext|>the sea";
        var (ids, counts) = tok.EncodeWithByteCounts(text);
        Assert.Equal(tok.Encode(text), ids);
        Assert.Equal(ids.Count, counts.Count);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(text.Replace("<|endoftext|>", "")), counts.Sum());
        Assert.Equal(0, counts[ids.ToList().IndexOf(tok.EndOfTextId)]);
        Assert.All(counts.Where((_, i) => ids[i] != tok.EndOfTextId), c => Assert.True(c >= 1));
    }

    [Fact]
    public void SavesAndLoadsWithByteFallback()
    {
        var tok = Small();
        var path = Path.Combine(_dir, "tokenizer.json");
        tok.Save(path);
        Assert.Contains("\"byte_fallback\":true", File.ReadAllText(path));
        Assert.Contains("\"merges\":[[", File.ReadAllText(path));
        var loaded = CompactTokenizer.Load(path);
        Assert.True(loaded.ByteFallback);
        Assert.Equal(tok.VocabSize, loaded.VocabSize);
        const string text = "Ahab's 🐋 of 1851";
        Assert.Equal(tok.Encode(text), loaded.Encode(text));
    }

    [Fact]
    public void FilesWithoutMergesLoadAsBefore()
    {
        // A vocabulary saved by the kit's first bases (kept cl100k ids, no merges) keeps its ids and its [UNK].
        var legacy = CompactTokenizer.Build(["the whale, the sea and the ship"], vocabSize: 300, byteFallback: false);
        var path = Path.Combine(_dir, "tokenizer.json");
        legacy.Save(path);
        Assert.DoesNotContain("merges", File.ReadAllText(path));
        var loaded = CompactTokenizer.Load(path);
        Assert.False(loaded.ByteFallback);
        Assert.Contains(loaded.UnknownId, loaded.Encode("Zanzibar"));
        Assert.Equal(legacy.Encode("the sea, the ship"), loaded.Encode("the sea, the ship"));
        Assert.Throws<InvalidOperationException>(() => loaded.ByteId(65));
    }

    [Fact]
    public void AMergeThatRefersForwardIsRefused()
    {
        var path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, """{"kind":"compact","base_encoding":"cl100k_base","specials":["[PAD]","[UNK]","[CLS]","[SEP]","[MASK]","<|endoftext|>"],"byte_fallback":true,"merges":[[70,263]]}""");
        var e = Assert.Throws<InvalidDataException>(() => CompactTokenizer.Load(path));
        Assert.Contains("may only join byte ids or earlier merges", e.Message);
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
