using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Tokenizers;

namespace PeftKit.Text;

/// <summary>
/// A small vocabulary for the kit's tiny models over the Tiktoken cl100k_base tokenizer (shipped in
/// Microsoft.ML.Tokenizers.Data.Cl100kBase): cl100k splits the text, the most frequent cl100k ids of a corpus keep an
/// id of their own. Ids 0–5 are the specials [PAD] [UNK] [CLS] [SEP] [MASK] &lt;|endoftext|&gt;.
/// <para>With <b>byte fallback</b> (what <see cref="Build"/> makes): ids 6–261 are the 256 bytes, then the kept
/// multi-byte cl100k tokens, most frequent first; a cl100k token that was not kept is written as its UTF-8 bytes, so
/// every text round-trips exactly and [UNK] (id 1, kept so the specials keep their ids) is never produced — the
/// idea of SentencePiece's byte_fallback and of GPT-2's byte-level BPE.</para>
/// <para>Without it (vocabularies saved before byte fallback, e.g. by kit 0.x bases): ids 6… are the kept cl100k
/// tokens and every other token becomes [UNK]. Such files still load and encode exactly as they did.</para>
/// </summary>
public sealed class CompactTokenizer : ITextTokenizer
{
    /// <summary>The special tokens, in id order.</summary>
    public static IReadOnlyList<string> Specials { get; } = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "<|endoftext|>"];

    const string BaseEncoding = "cl100k_base";
    const string EndOfText = "<|endoftext|>";
    static readonly Lazy<TiktokenTokenizer> Cl100k = new(() => TiktokenTokenizer.CreateForEncoding(BaseEncoding));

    /// <summary>Number of byte ids a byte-fallback vocabulary reserves (one per byte value).</summary>
    public const int ByteCount = 256;

    readonly int[] _baseIds;                              // compact id - FirstKeptId -> cl100k id
    readonly Dictionary<int, int> _toCompact;             // cl100k id -> compact id

    CompactTokenizer(int[] baseIds, bool byteFallback)
    {
        _baseIds = baseIds;
        ByteFallback = byteFallback;
        FirstKeptId = Specials.Count + (byteFallback ? ByteCount : 0);
        _toCompact = new Dictionary<int, int>(baseIds.Length);
        for (int i = 0; i < baseIds.Length; i++)
        {
            if (byteFallback && TokenBytes(baseIds[i]).Length == 1)
                throw new ArgumentException($"cl100k id {baseIds[i]} is a single byte; a byte-fallback vocabulary spells bytes with its byte ids.");
            if (!_toCompact.TryAdd(baseIds[i], FirstKeptId + i))
                throw new ArgumentException($"cl100k id {baseIds[i]} appears twice in the vocabulary.");
        }
    }

    /// <summary>True when tokens outside the vocabulary are written as bytes (ids 6–261) instead of [UNK].</summary>
    public bool ByteFallback { get; }

    /// <summary>The first id of a kept cl100k token (6, or 262 with byte fallback).</summary>
    public int FirstKeptId { get; }

    /// <summary>Id of byte <paramref name="value"/> in a byte-fallback vocabulary.</summary>
    public int ByteId(byte value) =>
        ByteFallback ? Specials.Count + value : throw new InvalidOperationException("This vocabulary has no byte ids (saved without byte fallback).");

    static byte[] TokenBytes(int cl100kId) => Cl100kBytes.Value[cl100kId];

    // The bytes of every cl100k token. TiktokenTokenizer keeps its id → bytes table internal in Microsoft.ML.Tokenizers
    // 2.0.1, so it is read here from the same data the tokenizer is built from: the tiktoken file embedded in
    // Microsoft.ML.Tokenizers.Data.Cl100kBase (deflated; a "Capacity: N" line, then one base64 line per token in id
    // order — the package's compact form of tiktoken's "base64 rank" lines, which are accepted too).
    static readonly Lazy<byte[][]> Cl100kBytes = new(() =>
    {
        const string resource = "cl100k_base.tiktoken.deflate";
        var assembly = System.Reflection.Assembly.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase");
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no resource {resource}; the pinned package version changed its layout.");
        using var reader = new StreamReader(new System.IO.Compression.DeflateStream(stream, System.IO.Compression.CompressionMode.Decompress));
        var table = new List<byte[]>(100_277);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            if (space >= 0 && int.Parse(line.AsSpan(space + 1), System.Globalization.CultureInfo.InvariantCulture) != table.Count)
                throw new InvalidDataException($"{resource}: ranks are not in id order at token {table.Count}.");
            table.Add(Convert.FromBase64String(space >= 0 ? line[..space] : line));
        }
        return [.. table];
    });

    // cl100k_base has every single byte as a token of its own (BPE starts from bytes): byte value -> that token's id.
    static readonly Lazy<int[]> ByteTokens = new(() =>
    {
        var ids = new int[ByteCount];
        var table = Cl100kBytes.Value;
        for (int id = 0; id < table.Length; id++)
            if (table[id].Length == 1) ids[table[id][0]] = id;
        return ids;
    });

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

    /// <summary>Specials, byte ids (with byte fallback) and kept cl100k tokens.</summary>
    public int VocabSize => FirstKeptId + _baseIds.Length;

    /// <summary>
    /// Keeps the most frequent cl100k tokens of <paramref name="corpus"/> that fit in <paramref name="vocabSize"/> ids
    /// (ties broken by the smaller cl100k id, so the result is deterministic; fewer if the corpus has fewer distinct
    /// tokens). With <paramref name="byteFallback"/> (the default) 256 ids go to the bytes and single-byte cl100k tokens
    /// are not kept twice; without it, other tokens become [UNK] (the kit's first vocabularies).
    /// </summary>
    public static CompactTokenizer Build(IEnumerable<string> corpus, int vocabSize, bool byteFallback = true)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        int reserved = Specials.Count + (byteFallback ? ByteCount : 0);
        if (vocabSize <= reserved)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize,
                $"vocabSize must exceed the {reserved} reserved ids ({Specials.Count} specials{(byteFallback ? $" and {ByteCount} bytes" : "")}).");
        var counts = new Dictionary<int, long>();
        int eot = Cl100k.Value.SpecialTokens![EndOfText];
        foreach (var text in corpus)
            foreach (var id in Cl100k.Value.EncodeToIds(text))
                if (id != eot) counts[id] = counts.GetValueOrDefault(id) + 1;
        if (counts.Count == 0) throw new ArgumentException("The corpus has no text to build a vocabulary from.", nameof(corpus));
        var kept = counts.Where(kv => !byteFallback || TokenBytes(kv.Key).Length > 1)
            .OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(vocabSize - reserved).Select(kv => kv.Key).ToArray();
        return new CompactTokenizer(kept, byteFallback);
    }

    /// <summary>Compact ids of <paramref name="text"/>; "&lt;|endoftext|&gt;" in the text becomes <see cref="EndOfTextId"/>.</summary>
    public IReadOnlyList<int> Encode(string text) => Encode(text, byteCounts: null);

    /// <summary>
    /// Compact ids of <paramref name="text"/> and, for each, how many UTF-8 bytes of the text it stands for (a kept
    /// token its bytes, a byte id 1, [UNK] the bytes of the token it replaced, &lt;|endoftext|&gt; 0). The counts sum to
    /// the text's UTF-8 length less the end-of-text markers: what bits per byte divides by, whatever the vocabulary.
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
        void Add(int id, int bytes) { result.Add(id); byteCounts?.Add(bytes); }
        var parts = text.Split(EndOfText);
        for (int p = 0; p < parts.Length; p++)
        {
            if (p > 0) Add(EndOfTextId, 0);
            foreach (var id in Cl100k.Value.EncodeToIds(parts[p]))
            {
                if (_toCompact.TryGetValue(id, out int compact)) Add(compact, TokenBytes(id).Length);
                else if (!ByteFallback) Add(UnknownId, TokenBytes(id).Length);
                else foreach (byte b in TokenBytes(id)) Add(Specials.Count + b, 1);
            }
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
            if (id >= FirstKeptId) { run.Add(_baseIds[id - FirstKeptId]); continue; }
            if (id >= Specials.Count) { run.Add(ByteTokens.Value[id - Specials.Count]); continue; }   // a byte id
            Flush();
            if (!skipSpecials) text.Append(Specials[id]);
        }
        Flush();
        return text.ToString();
    }

    /// <summary>Text of <paramref name="ids"/>, specials written as their names.</summary>
    public string Decode(IEnumerable<int> ids) => Decode(ids, skipSpecials: false);

    /// <summary>The token string of a compact id (a special's name, or the decoded cl100k token or byte; a lone byte of a
    /// multi-byte character reads as U+FFFD).</summary>
    public string TokenOf(int id) => Decode([id]);

    sealed record Stored(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("base_encoding")] string BaseEncoding,
        [property: JsonPropertyName("specials")] string[] Specials,
        [property: JsonPropertyName("base_ids")] int[] BaseIds,
        [property: JsonPropertyName("byte_fallback"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool ByteFallback = false);

    /// <summary>Writes the vocabulary as a small JSON file (kind, base encoding, specials, kept cl100k ids in id order,
    /// byte_fallback when set).</summary>
    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(new Stored("compact", BaseEncoding, [.. Specials], _baseIds, ByteFallback)));

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
        try { return new CompactTokenizer(stored.BaseIds, stored.ByteFallback); }
        catch (ArgumentException e) { throw new InvalidDataException($"Tokenizer file '{path}' is inconsistent: {e.Message}", e); }
    }
}
