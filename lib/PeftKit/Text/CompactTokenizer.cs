using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Tokenizers;

namespace PeftKit.Text;

/// <summary>
/// A small vocabulary for the kit's tiny models over the Tiktoken cl100k_base tokenizer (shipped in
/// Microsoft.ML.Tokenizers.Data.Cl100kBase), which splits the text into tokens. Ids 0–5 are the specials
/// [PAD] [UNK] [CLS] [SEP] [MASK] &lt;|endoftext|&gt;.
/// <para><b>Byte-level BPE</b> (what <see cref="Build"/> makes): ids 6–261 are the 256 bytes; ids 262… are byte-pair
/// merges learnt from a corpus, taking each cl100k token as a word (so a frequent cl100k token becomes one id and a rare
/// one a few pieces). Any text round-trips exactly and [UNK] (id 1, kept so the specials keep their ids) is never
/// produced: the byte fallback of GPT-2's byte-level BPE, at a 4,096-id size a tiny model can afford.</para>
/// <para><b>Kept ids</b> (vocabularies saved by the kit's first bases): ids 6… are the most frequent cl100k tokens of
/// a corpus and every other token becomes [UNK]. Such files still load and encode exactly as they did.</para>
/// </summary>
public sealed class CompactTokenizer : ITextTokenizer
{
    /// <summary>The special tokens, in id order.</summary>
    public static IReadOnlyList<string> Specials { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>"];

    /// <summary>Number of byte ids a byte-level vocabulary reserves (one per byte value), from id 6.</summary>
    public const int ByteCount = 256;

    const string BaseEncoding = "cl100k_base";
    const string EndOfText = "<|endoftext|>";
    static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding(BaseEncoding));
    static int FirstByteId => Specials.Count;
    static int FirstMergeId => Specials.Count + ByteCount;

    // Kept ids (legacy): compact id − 6 -> cl100k id, and back.
    readonly int[]? _baseIds;
    readonly Dictionary<int, int> _toCompact = [];
    // Byte-level BPE: merge k makes id 262 + k from (Left, Right); its rank is k.
    readonly (int Left, int Right)[]? _merges;
    readonly Dictionary<long, int> _mergeRank = [];
    readonly byte[][] _idBytes = [];                                 // id -> the bytes it stands for (BPE)
    readonly ConcurrentDictionary<int, int[]> _pieces = new();        // cl100k id -> its BPE ids (cache)

    CompactTokenizer(int[] baseIds)
    {
        _baseIds = baseIds;
        for (int i = 0; i < baseIds.Length; i++)
            if (!_toCompact.TryAdd(baseIds[i], Specials.Count + i))
                throw new ArgumentException($"cl100k id {baseIds[i]} appears twice in the vocabulary.");
    }

    CompactTokenizer((int Left, int Right)[] merges)
    {
        _merges = merges;
        _idBytes = new byte[FirstMergeId + merges.Length][];
        for (int i = 0; i < Specials.Count; i++) _idBytes[i] = [];
        for (int b = 0; b < ByteCount; b++) _idBytes[FirstByteId + b] = [(byte)b];
        for (int k = 0; k < merges.Length; k++)
        {
            var (left, right) = merges[k];
            int id = FirstMergeId + k;
            if (left < FirstByteId || right < FirstByteId || left >= id || right >= id)
                throw new ArgumentException($"Merge {k} joins ids {left} and {right}; a merge may only join byte ids or earlier merges (6..{id - 1}).");
            if (!_mergeRank.TryAdd(BytePairTrainer.Key(left, right), k))
                throw new ArgumentException($"Merge {k} ({left}, {right}) appears twice.");
            _idBytes[id] = [.. _idBytes[left], .. _idBytes[right]];
        }
    }

    /// <summary>True for a byte-level BPE vocabulary (never [UNK]); false for a kept-ids vocabulary.</summary>
    public bool ByteFallback => _merges is not null;

    /// <summary>Id of [PAD] (0).</summary>
    public int PadId => 0;

    /// <summary>Id of [UNK] (1); a byte-level vocabulary never produces it.</summary>
    public int UnknownId => 1;

    /// <summary>Id of [CLS] (2).</summary>
    public int ClsId => 2;

    /// <summary>Id of [SEP] (3).</summary>
    public int SepId => 3;

    /// <summary>Id of [MASK] (4).</summary>
    public int MaskId => 4;

    /// <summary>Id of &lt;|endoftext|&gt; (5).</summary>
    public int EndOfTextId => 5;

    /// <summary>Specials plus bytes and merges, or specials plus kept cl100k tokens.</summary>
    public int VocabSize => _merges is { } m ? FirstMergeId + m.Length : Specials.Count + _baseIds!.Length;

    /// <summary>Id of byte <paramref name="value"/> in a byte-level vocabulary.</summary>
    public int ByteId(byte value) =>
        ByteFallback ? FirstByteId + value : throw new InvalidOperationException("This vocabulary has no byte ids (a kept-ids vocabulary).");

    /// <summary>True when <paramref name="id"/> is one of a byte-level vocabulary's 256 byte ids.</summary>
    public bool IsByteId(int id) => ByteFallback && id >= FirstByteId && id < FirstMergeId;

    /// <summary>
    /// Learns a vocabulary of <paramref name="vocabSize"/> ids from <paramref name="corpus"/> (fewer when the corpus
    /// runs out of pairs that occur twice). With <paramref name="byteFallback"/> (the default): byte-level BPE over the
    /// corpus's cl100k tokens, 256 byte ids then <paramref name="vocabSize"/> − 262 merges. Without it: the
    /// <paramref name="vocabSize"/> − 6 most frequent cl100k tokens, every other token [UNK] (the kit's first
    /// vocabularies). Deterministic: ties go to the smaller pair or id.
    /// </summary>
    public static CompactTokenizer Build(IEnumerable<string> corpus, int vocabSize, bool byteFallback = true)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        int reserved = byteFallback ? FirstMergeId : Specials.Count;
        if (vocabSize <= reserved)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize,
                $"vocabSize must exceed the {reserved} reserved ids ({Specials.Count} specials{(byteFallback ? $" and {ByteCount} bytes" : "")}).");
        var counts = new Dictionary<int, long>();
        int eot = Cl100k.Value.SpecialTokens![EndOfText];
        foreach (var text in corpus)
            foreach (var id in Cl100k.Value.EncodeToIds(text))
                if (id != eot) counts[id] = counts.GetValueOrDefault(id) + 1;
        if (counts.Count == 0) throw new ArgumentException("The corpus has no text to build a vocabulary from.", nameof(corpus));
        if (!byteFallback)
            return new CompactTokenizer(counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(vocabSize - reserved).Select(kv => kv.Key).ToArray());
        // Words in cl100k id order, so training sees the same input whatever the dictionary's order.
        var words = counts.OrderBy(kv => kv.Key).Select(kv => (Cl100kTokenBytes.Of(kv.Key), kv.Value)).ToList();
        return new CompactTokenizer([.. BytePairTrainer.Train(words, vocabSize - reserved, FirstByteId)]);
    }

    /// <summary>Compact ids of <paramref name="text"/>; "&lt;|endoftext|&gt;" in the text becomes <see cref="EndOfTextId"/>.</summary>
    public IReadOnlyList<int> Encode(string text) => Encode(text, byteCounts: null);

    /// <summary>
    /// Compact ids of <paramref name="text"/> and, for each, how many UTF-8 bytes of the text it stands for (a piece its
    /// bytes, [UNK] the bytes of the token it replaced, &lt;|endoftext|&gt; 0). The counts sum to the text's UTF-8
    /// length less the end-of-text markers: what bits per byte divides by, whatever the vocabulary.
    /// </summary>
    public (IReadOnlyList<int> Ids, IReadOnlyList<int> ByteCounts) EncodeWithByteCounts(string text)
    {
        var counts = new List<int>();
        return (Encode(text, counts), counts);
    }

    List<int> Encode(string text, List<int>? byteCounts)
    {
        ArgumentNullException.ThrowIfNull(text);
        // "<|endoftext|>" is split out here instead of relying on the shared TiktokenTokenizer's special-token
        // handling: a fresh-clone test run once saw it come back as ordinary text pieces ([UNK]) after other tests
        // had used the same tokenizer. The special token is a pre-tokenization boundary either way, so the ids agree.
        var result = new List<int>();
        var parts = text.Split(EndOfText);
        for (int p = 0; p < parts.Length; p++)
        {
            if (p > 0) { result.Add(EndOfTextId); byteCounts?.Add(0); }
            foreach (var id in Cl100k.Value.EncodeToIds(parts[p]))
            {
                if (_merges is null)
                {
                    result.Add(_toCompact.GetValueOrDefault(id, UnknownId));
                    byteCounts?.Add(Cl100kTokenBytes.Of(id).Length);
                    continue;
                }
                foreach (int piece in _pieces.GetOrAdd(id, static (key, self) => self.Pieces(key), this))   // no delegate per token
                {
                    result.Add(piece);
                    byteCounts?.Add(_idBytes[piece].Length);
                }
            }
        }
        return result;
    }

    /// <summary>BPE of one cl100k token: from its bytes, apply the lowest-ranked merge present until none applies.</summary>
    int[] Pieces(int cl100kId)
    {
        var symbols = Cl100kTokenBytes.Of(cl100kId).Select(b => FirstByteId + b).ToList();
        while (symbols.Count > 1)
        {
            int bestRank = int.MaxValue;
            for (int i = 0; i + 1 < symbols.Count; i++)
                if (_mergeRank.TryGetValue(BytePairTrainer.Key(symbols[i], symbols[i + 1]), out int rank) && rank < bestRank) bestRank = rank;
            if (bestRank == int.MaxValue) break;
            var (left, right) = _merges![bestRank];
            symbols = BytePairTrainer.Merge(symbols, left, right, FirstMergeId + bestRank);
        }
        return [.. symbols];
    }

    /// <summary>Text of <paramref name="ids"/>; specials are written as their names unless <paramref name="skipSpecials"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecials)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new StringBuilder();
        // Consecutive non-special ids decode together: a character may span several pieces.
        var bytes = new List<byte>();
        var run = new List<int>();
        void Flush()
        {
            if (bytes.Count > 0) { text.Append(Encoding.UTF8.GetString([.. bytes])); bytes.Clear(); }
            if (run.Count > 0) { text.Append(Cl100k.Value.Decode(run)); run.Clear(); }
        }
        foreach (var id in ids)
        {
            if (id < 0 || id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Id {id} is outside this vocabulary (0..{VocabSize - 1}).");
            if (id >= Specials.Count)
            {
                if (_merges is null) run.Add(_baseIds![id - Specials.Count]);
                else bytes.AddRange(_idBytes[id]);
                continue;
            }
            Flush();
            if (!skipSpecials) text.Append(Specials[id]);
        }
        Flush();
        return text.ToString();
    }

    /// <summary>Text of <paramref name="ids"/>, specials written as their names.</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecials: false);

    /// <summary>The token string of a compact id (a special's name, or the decoded piece; a lone byte of a multi-byte
    /// character reads as U+FFFD).</summary>
    public string TokenOf(int id) => Decode([id]);

    sealed record Stored(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("base_encoding")] string BaseEncoding,
        [property: JsonPropertyName("specials")] string[] Specials,
        [property: JsonPropertyName("base_ids"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[]? BaseIds,
        [property: JsonPropertyName("byte_fallback"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ByteFallback = false,
        [property: JsonPropertyName("merges"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int[][]? Merges = null);

    /// <summary>Writes the vocabulary as a small JSON file: kind, base encoding, specials, then the merges in rank order
    /// (byte-level BPE) or the kept cl100k ids in id order.</summary>
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new Stored("compact", BaseEncoding, [.. Specials], _baseIds, ByteFallback,
            _merges?.Select(m => new[] { m.Left, m.Right }).ToArray())));

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    public static CompactTokenizer Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No tokenizer file at '{path}'.", path);
        Stored? stored;
        try { stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"Tokenizer file '{path}' is not valid JSON: {e.Message}", e); }
        if (stored is null || stored.Kind != "compact" || stored.BaseEncoding != BaseEncoding || (stored.BaseIds is null && stored.Merges is null))
            throw new InvalidDataException($"Tokenizer file '{path}' is not a compact {BaseEncoding} vocabulary (kind/base_encoding and merges or base_ids missing or different).");
        if (stored.Specials is null || !stored.Specials.SequenceEqual(Specials))
            throw new InvalidDataException($"Tokenizer file '{path}' lists specials [{string.Join(", ", stored.Specials ?? [])}]; expected [{string.Join(", ", Specials)}].");
        try
        {
            if (stored.Merges is null) return new CompactTokenizer(stored.BaseIds!);
            if (stored.Merges.Any(m => m is null || m.Length != 2)) throw new ArgumentException("every merge must be a pair [left, right].");
            return new CompactTokenizer([.. stored.Merges.Select(m => (m[0], m[1]))]);
        }
        catch (ArgumentException e) { throw new InvalidDataException($"Tokenizer file '{path}' is inconsistent: {e.Message}", e); }
    }
}
