using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Tokenizers;

namespace PeftKit.Text;

/// <summary>
/// A small vocabulary for the kit's tiny models over the Tiktoken cl100k_base tokenizer (shipped in
/// Microsoft.ML.Tokenizers.Data.Cl100kBase): cl100k splits the text, the most frequent cl100k ids of a corpus keep an
/// id of their own, every other cl100k id maps to [UNK]. Ids 0–5 are the specials [PAD] [UNK] [CLS] [SEP] [MASK]
/// &lt;|endoftext|&gt;; then the kept cl100k ids, most frequent first. Text made only of kept tokens round-trips exactly.
/// </summary>
public sealed class CompactTokenizer : ITextTokenizer
{
    /// <summary>The special tokens, in id order.</summary>
    public static IReadOnlyList<string> Specials { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>"];

    const string BaseEncoding = "cl100k_base";
    const string EndOfText = "<|endoftext|>";
    static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding(BaseEncoding));

    readonly int[] _baseIds;                              // compact id - Specials.Count -> cl100k id
    readonly Dictionary<int, int> _toCompact;             // cl100k id -> compact id

    CompactTokenizer(int[] baseIds)
    {
        _baseIds = baseIds;
        _toCompact = new Dictionary<int, int>(baseIds.Length);
        for (int i = 0; i < baseIds.Length; i++)
            if (!_toCompact.TryAdd(baseIds[i], Specials.Count + i))
                throw new ArgumentException($"cl100k id {baseIds[i]} appears twice in the vocabulary.");
    }

    /// <summary>Id of [PAD] (0).</summary>
    public int PadId => 0;

    /// <summary>Id of [UNK] (1).</summary>
    public int UnknownId => 1;

    /// <summary>Id of [CLS] (2).</summary>
    public int ClsId => 2;

    /// <summary>Id of [SEP] (3).</summary>
    public int SepId => 3;

    /// <summary>Id of [MASK] (4).</summary>
    public int MaskId => 4;

    /// <summary>Id of &lt;|endoftext|&gt; (5).</summary>
    public int EndOfTextId => 5;

    /// <summary>Specials plus kept cl100k tokens.</summary>
    public int VocabSize => Specials.Count + _baseIds.Length;

    /// <summary>
    /// Keeps the <paramref name="vocabSize"/> − 6 most frequent cl100k tokens of <paramref name="corpus"/> (ties broken
    /// by the smaller cl100k id, so the result is deterministic). Fewer are kept if the corpus has fewer distinct tokens.
    /// </summary>
    public static CompactTokenizer Build(IEnumerable<string> corpus, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (vocabSize <= Specials.Count)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, $"vocabSize must exceed the {Specials.Count} special tokens.");
        var counts = new Dictionary<int, long>();
        int eot = Cl100k.Value.SpecialTokens![EndOfText];
        foreach (var text in corpus)
            foreach (var id in Cl100k.Value.EncodeToIds(text))
                if (id != eot) counts[id] = counts.GetValueOrDefault(id) + 1;
        if (counts.Count == 0) throw new ArgumentException("The corpus has no text to build a vocabulary from.", nameof(corpus));
        var kept = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(vocabSize - Specials.Count).Select(kv => kv.Key).ToArray();
        return new CompactTokenizer(kept);
    }

    /// <summary>Compact ids of <paramref name="text"/>; "&lt;|endoftext|&gt;" in the text becomes <see cref="EndOfTextId"/>.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        // "<|endoftext|>" is split out here instead of relying on the shared TiktokenTokenizer's special-token
        // handling: a fresh-clone test run once saw it come back as ordinary text pieces ([UNK]) after other tests
        // had used the same tokenizer. The special token is a pre-tokenization boundary either way, so the ids agree.
        var result = new List<int>();
        var parts = text.Split(EndOfText);
        for (int p = 0; p < parts.Length; p++)
        {
            if (p > 0) result.Add(EndOfTextId);
            foreach (var id in Cl100k.Value.EncodeToIds(parts[p])) result.Add(_toCompact.GetValueOrDefault(id, UnknownId));
        }
        return result;
    }

    /// <summary>Text of <paramref name="ids"/>; specials are written as their names unless <paramref name="skipSpecials"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecials)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>();   // consecutive cl100k ids decode together (a character may span several byte tokens)
        void Flush() { if (run.Count > 0) { text.Append(Cl100k.Value.Decode(run)); run.Clear(); } }
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} is outside this vocabulary (0..{VocabSize - 1}).");
            if (id >= Specials.Count) { run.Add(_baseIds[id - Specials.Count]); continue; }
            Flush();
            if (!skipSpecials) text.Append(Specials[id]);
        }
        Flush();
        return text.ToString();
    }

    /// <summary>Text of <paramref name="ids"/>, specials written as their names.</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecials: false);

    /// <summary>The token string of a compact id (a special's name, or the decoded cl100k token).</summary>
    public string TokenOf(int id) => Decode([id]);

    sealed record Stored(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("base_encoding")] string BaseEncoding,
        [property: JsonPropertyName("specials")] string[] Specials,
        [property: JsonPropertyName("base_ids")] int[] BaseIds);

    /// <summary>Writes the vocabulary as a small JSON file (kind, base encoding, specials, kept cl100k ids in id order).</summary>
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new Stored("compact", BaseEncoding, [.. Specials], _baseIds)));

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    public static CompactTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No tokenizer file at '{path}'.", path);
        Stored? stored;
        try { stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"Tokenizer file '{path}' is not valid JSON: {e.Message}", e); }
        if (stored is null || stored.Kind != "compact" || stored.BaseEncoding != BaseEncoding || stored.BaseIds is null)
            throw new InvalidDataException($"Tokenizer file '{path}' is not a compact {BaseEncoding} vocabulary (kind/base_encoding/base_ids missing or different).");
        if (stored.Specials is null || !stored.Specials.SequenceEqual(Specials))
            throw new InvalidDataException($"Tokenizer file '{path}' lists specials [{string.Join(", ", stored.Specials ?? [])}]; expected [{string.Join(", ", Specials)}].");
        return new CompactTokenizer(stored.BaseIds);
    }
}
