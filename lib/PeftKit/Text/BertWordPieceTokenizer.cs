using Microsoft.ML.Tokenizers;

namespace PeftKit.Text;

/// <summary>
/// BERT's WordPiece from a checkpoint's vocab.txt, through Microsoft.ML.Tokenizers' BertTokenizer (basic
/// tokenisation, optional lower-casing, ## continuation pieces). <see cref="Encode"/> adds [CLS] … [SEP] as BERT expects.
/// </summary>
public sealed class BertWordPieceTokenizer : ITextTokenizer
{
    readonly BertTokenizer _wordPiece;
    readonly int _vocabSize;

    BertWordPieceTokenizer(BertTokenizer wordPiece, int vocabSize) { _wordPiece = wordPiece; _vocabSize = vocabSize; }

    /// <summary>Loads vocab.txt (one token per line, the line number is the id).</summary>
    /// <param name="vocabTxt">Path of vocab.txt.</param>
    /// <param name="lowerCase">true for uncased checkpoints (bert-base-uncased).</param>
    public static BertWordPieceTokenizer FromFile(string vocabTxt, bool lowerCase = true)
    {
        if (!File.Exists(vocabTxt)) throw new FileNotFoundException($"BERT vocabulary '{vocabTxt}' does not exist.", vocabTxt);
        var lines = File.ReadAllLines(vocabTxt);
        foreach (var required in new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" })
            if (!lines.Contains(required))
                throw new InvalidDataException($"'{vocabTxt}' has no {required} line; a BERT vocab.txt needs [PAD] [UNK] [CLS] [SEP] [MASK].");
        var tokenizer = BertTokenizer.Create(vocabTxt, new BertOptions { LowerCaseBeforeTokenization = lowerCase });
        return new BertWordPieceTokenizer(tokenizer, lines.Length);
    }

    /// <summary>Number of lines of vocab.txt (30,522 for bert-base-uncased).</summary>
    public int VocabSize => _vocabSize;

    /// <summary>Id of [PAD].</summary>
    public int PadId => _wordPiece.PaddingTokenId;

    /// <summary>Id of [CLS].</summary>
    public int ClsId => _wordPiece.ClassificationTokenId;

    /// <summary>Id of [SEP].</summary>
    public int SepId => _wordPiece.SeparatorTokenId;

    /// <summary>Id of [MASK].</summary>
    public int MaskId => _wordPiece.MaskingTokenId;

    /// <summary>[CLS] + WordPiece ids of <paramref name="text"/> + [SEP].</summary>
    public IReadOnlyList<int> Encode(string text) => _wordPiece.EncodeToIds(text, addSpecialTokens: true);

    /// <summary>Text of <paramref name="ids"/> with special tokens dropped and ## pieces joined.</summary>
    public string Decode(IEnumerable<int> ids) => _wordPiece.Decode(ids, skipSpecialTokens: true) ?? "";
}
