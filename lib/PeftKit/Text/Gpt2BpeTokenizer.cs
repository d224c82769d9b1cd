using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace PeftKit.Text;

/// <summary>
/// GPT-2's byte-level BPE from a checkpoint's vocab.json and merges.txt, through Microsoft.ML.Tokenizers'
/// BpeTokenizer in byte-level mode with GPT-2's pre-tokenisation regex. No prefix space, no BOS/EOS added.
/// (CodeGenTokenizer is not used: it adds CodeGen's extra whitespace tokens, ids GPT-2 does not have.)
/// </summary>
public sealed class Gpt2BpeTokenizer : ITextTokenizer
{
    // The pattern of openai/gpt-2 encoder.py.
    static readonly Regex Gpt2Split = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled);
    const string EndOfText = "<|endoftext|>";

    readonly BpeTokenizer _bpe;

    Gpt2BpeTokenizer(BpeTokenizer bpe, int vocabSize, int padId) { _bpe = bpe; VocabSize = vocabSize; PadId = padId; }

    /// <summary>Loads vocab.json and merges.txt (as shipped with a Hugging Face GPT-2 checkpoint).</summary>
    public static Gpt2BpeTokenizer FromFiles(string vocabJson, string mergesTxt)
    {
        foreach (var f in new[] { vocabJson, mergesTxt })
            if (!File.Exists(f)) throw new FileNotFoundException($"GPT-2 tokenizer file '{f}' does not exist.", f);
        var vocabulary = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(vocabJson))
            ?? throw new InvalidDataException($"'{vocabJson}' is not a JSON object of token → id.");
        var specials = vocabulary.TryGetValue(EndOfText, out var eot) ? new Dictionary<string, int> { [EndOfText] = eot } : null;
        var options = new BpeOptions(vocabJson, mergesTxt)
        {
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(Gpt2Split, specials),
            SpecialTokens = specials,
        };
        var bpe = BpeTokenizer.Create(options);
        return new Gpt2BpeTokenizer(bpe, vocabulary.Values.DefaultIfEmpty(-1).Max() + 1, specials is null ? 0 : eot);
    }

    /// <summary>One more than the largest id in vocab.json (50,257 for GPT-2).</summary>
    public int VocabSize { get; }

    /// <summary>The id of &lt;|endoftext|&gt; when the vocabulary has it (GPT-2 has no pad token), else 0.</summary>
    public int PadId { get; }

    /// <summary>BPE ids of <paramref name="text"/>.</summary>
    public IReadOnlyList<int> Encode(string text) => _bpe.EncodeToIds(text);

    /// <summary>Text of <paramref name="ids"/>.</summary>
    public string Decode(IEnumerable<int> ids) => _bpe.Decode(ids) ?? "";
}
