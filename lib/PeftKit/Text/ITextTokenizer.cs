namespace PeftKit.Text;

/// <summary>What the kit needs from a tokenizer: text ↔ ids and the vocabulary size a model must match.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids (the model's VocabSize must be at least this).</summary>
    int VocabSize { get; }

    /// <summary>Id used to pad batches.</summary>
    int PadId { get; }

    /// <summary>Token ids of <paramref name="text"/> (no special tokens added unless the tokenizer's convention says so).</summary>
    IReadOnlyList<int> Encode(string text);

    /// <summary>Text of <paramref name="ids"/>.</summary>
    string Decode(IEnumerable<int> ids);
}
