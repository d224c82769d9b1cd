namespace PeftKit.Models;

/// <summary>The task head on top of the Transformer body.</summary>
public enum HeadKind
{
    /// <summary>No head: <see cref="ModelOutput.Logits"/> is null (GPT2Model / BertModel).</summary>
    None,

    /// <summary>Next-token logits through the tied word embeddings (decoder only; GPT2LMHeadModel).</summary>
    LanguageModel,

    /// <summary>Masked-LM logits: <c>cls.predictions</c> transform + tied decoder + bias (encoder only; BertForMaskedLM).</summary>
    MaskedLanguageModel,

    /// <summary>One label per sequence: <c>score</c> on the last real token (decoder) or <c>classifier</c> on the pooled [CLS] (encoder).</summary>
    SequenceClassification,

    /// <summary>One label per real token: <c>classifier</c> on every hidden state.</summary>
    TokenClassification,
}
