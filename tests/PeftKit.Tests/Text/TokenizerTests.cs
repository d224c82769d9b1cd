using PeftKit.Text;

namespace PeftKit.Tests.Text;

public sealed class TokenizerTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("peftkit-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Real prose: the opening of Moby-Dick (Melville, 1851; public domain).
    const string MobyDick =
        "Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, and " +
        "nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of " +
        "the world. It is a way I have of driving off the spleen and regulating the circulation. Whenever I find myself " +
        "growing grim about the mouth; whenever it is a damp, drizzly November in my soul; whenever I find myself " +
        "involuntarily pausing before coffin warehouses, and bringing up the rear of every funeral I meet; and especially " +
        "whenever my hypos get such an upper hand of me, that it requires a strong moral principle to prevent me from " +
        "deliberately stepping into the street, and methodically knocking people's hats off—then, I account it high time " +
        "to get to sea as soon as I can.";

    [Fact]
    public void CompactVocabularyWithoutByteFallbackRoundTripsTextMadeOfKeptTokens()
    {
        var tok = CompactTokenizer.Build([MobyDick], vocabSize: 4096, byteFallback: false);
        var ids = tok.Encode(MobyDick);
        Assert.DoesNotContain(tok.UnknownId, ids);
        Assert.All(ids, id => Assert.InRange(id, 6, tok.VocabSize - 1));
        Assert.True(tok.VocabSize < 200, $"{tok.VocabSize}");   // only the paragraph's distinct tokens are kept
        Assert.Equal(MobyDick, tok.Decode(ids));
        // Most frequent first: counts never increase with the compact id.
        var counts = ids.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(tok.VocabSize - 6, counts.Count);
        for (int id = 7; id < tok.VocabSize; id++) Assert.True(counts[id] <= counts[id - 1], $"id {id}");
        Assert.True(counts[6] > 1);
    }

    [Fact]
    public void WithoutByteFallbackRareTokensBecomeUnknownAndSpecialsKeepFixedIds()
    {
        var tok = CompactTokenizer.Build([MobyDick], vocabSize: 6 + 10, byteFallback: false);
        Assert.Equal(16, tok.VocabSize);
        var ids = tok.Encode("the spleen<|endoftext|>");
        Assert.Equal(tok.EndOfTextId, ids[^1]);
        Assert.Contains(tok.UnknownId, ids);                       // "spleen" pieces occur once: not among the top 10
        Assert.Equal("[UNK]", tok.Decode([tok.UnknownId]));
        Assert.Equal("", tok.Decode([tok.PadId, tok.ClsId, tok.SepId, tok.MaskId], skipSpecials: true));
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>"], CompactTokenizer.Specials);
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.Decode([16]));
    }

    [Fact]
    public void CompactVocabularySavesAndLoads()
    {
        var tok = CompactTokenizer.Build([MobyDick], vocabSize: 64, byteFallback: false);
        var path = Path.Combine(_dir, "tokenizer.json");
        tok.Save(path);
        var loaded = CompactTokenizer.Load(path);
        Assert.Equal(tok.VocabSize, loaded.VocabSize);
        Assert.Equal(tok.Encode(MobyDick), loaded.Encode(MobyDick));
        File.WriteAllText(path, """{"kind":"bpe"}""");
        var e = Assert.Throws<InvalidDataException>(() => CompactTokenizer.Load(path));
        Assert.Contains("is not a compact cl100k_base vocabulary", e.Message);
    }

    [Fact]
    public void Gpt2BpeLoadsVocabAndMergesFiles()
    {
        // Byte-level BPE: "Ġ" is GPT-2's printable stand-in for the space byte.
        var vocab = Path.Combine(_dir, "vocab.json");
        var merges = Path.Combine(_dir, "merges.txt");
        File.WriteAllText(vocab, """{"h":0,"e":1,"l":2,"o":3,"Ġ":4,"w":5,"r":6,"d":7,"he":8,"ll":9,"hell":10,"hello":11,"Ġw":12,"or":13,"Ġwor":14,"Ġworl":15,"Ġworld":16,"<|endoftext|>":17}""");
        File.WriteAllText(merges, "#version: 0.2\nh e\nl l\nhe ll\nhell o\nĠ w\no r\nĠw or\nĠwor l\nĠworl d\n");
        var tok = Gpt2BpeTokenizer.FromFiles(vocab, merges);
        Assert.Equal([11, 16], tok.Encode("hello world"));
        Assert.Equal([11, 4, 12], tok.Encode("hello  w"));       // GPT-2's regex: " " then " w"
        Assert.Equal([11, 17], tok.Encode("hello<|endoftext|>"));
        Assert.Equal("hello world", tok.Decode([11, 16]));
        Assert.Equal(18, tok.VocabSize);
        Assert.Equal(17, tok.PadId);
        Assert.Throws<FileNotFoundException>(() => Gpt2BpeTokenizer.FromFiles(Path.Combine(_dir, "none.json"), merges));
    }

    [Fact]
    public void BertWordPieceLoadsVocabTxt()
    {
        var path = Path.Combine(_dir, "vocab.txt");
        File.WriteAllLines(path, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "quick", "brown", "fox", "##es", "jump", "##ed", "."]);
        var tok = BertWordPieceTokenizer.FromFile(path);
        Assert.Equal([2, 5, 6, 8, 9, 10, 11, 12, 3], tok.Encode("The quick foxes jumped."));
        Assert.Equal([2, 5, 1, 3], tok.Encode("the zebra"));
        Assert.Equal("the quick foxes jumped.", tok.Decode([2, 5, 6, 8, 9, 10, 11, 12, 3]).Replace(" .", "."));
        Assert.Equal((13, 0, 2, 3, 4), (tok.VocabSize, tok.PadId, tok.ClsId, tok.SepId, tok.MaskId));
        File.WriteAllLines(path, ["the", "fox"]);
        var e = Assert.Throws<InvalidDataException>(() => BertWordPieceTokenizer.FromFile(path));
        Assert.Contains("has no [PAD] line", e.Message);
    }
}
