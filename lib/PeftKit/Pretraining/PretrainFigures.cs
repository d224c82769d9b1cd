namespace PeftKit.Pretraining;

/// <summary>The measured figures of a pretraining run (results.json).</summary>
public sealed record PretrainFigures
{
    /// <summary>Base model name.</summary>
    public required string Model { get; init; }

    /// <summary>Profile name.</summary>
    public required string Profile { get; init; }

    /// <summary>Seed.</summary>
    public required int Seed { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public required int Steps { get; init; }

    /// <summary>Sequences per step.</summary>
    public required int BatchSize { get; init; }

    /// <summary>Tokens per sequence.</summary>
    public required int SequenceLength { get; init; }

    /// <summary>Model parameters (tied weights counted once).</summary>
    public required long Parameters { get; init; }

    /// <summary>Ids the tokenizer has (≤ the model's vocabulary).</summary>
    public required int TokenizerVocabSize { get; init; }

    /// <summary>Training documents / tokens.</summary>
    public required int TrainDocuments { get; init; }

    /// <summary>Tokens in the training stream.</summary>
    public required long TrainTokens { get; init; }

    /// <summary>Validation documents.</summary>
    public required int ValidationDocuments { get; init; }

    /// <summary>Tokens in the validation stream.</summary>
    public required long ValidationTokens { get; init; }

    /// <summary>Share of training tokens that are [UNK].</summary>
    public required double TrainUnknownShare { get; init; }

    /// <summary>True when the tokenizer writes tokens outside its vocabulary as bytes (never [UNK]).</summary>
    public bool ByteFallback { get; init; }

    /// <summary>Share of training tokens that are byte ids (0 without byte fallback).</summary>
    public double TrainByteShare { get; init; }

    /// <summary>Validation sequences scored at the final evaluation.</summary>
    public required int EvalSequences { get; init; }

    /// <summary>Positions scored at the final evaluation (predicted next tokens, or masked positions).</summary>
    public required long EvalPositions { get; init; }

    /// <summary>Final validation loss (mean cross-entropy in nats over scored positions).</summary>
    public required double ValidationLoss { get; init; }

    /// <summary>Decoder: exp(validation loss). Null for the encoder.</summary>
    public double? ValidationPerplexity { get; init; }

    /// <summary>Validation nats over the UTF-8 bytes the scored positions stand for, in bits (decoder: every predicted
    /// token; encoder: the masked tokens). Comparable across vocabularies; null in results written before it existed.</summary>
    public double? ValidationBitsPerByte { get; init; }

    /// <summary>Decoder: perplexity of the add-one unigram model of the training tokens on the same positions.</summary>
    public double? UnigramPerplexity { get; init; }

    /// <summary>Decoder: the unigram model's bits per byte on the same positions.</summary>
    public double? UnigramBitsPerByte { get; init; }

    /// <summary>Encoder: share of masked positions whose original token is the model's argmax.</summary>
    public double? MlmAccuracy { get; init; }

    /// <summary>Encoder: accuracy of always predicting the most frequent ordinary training token on the same positions.</summary>
    public double? MajorityAccuracy { get; init; }

    /// <summary>Encoder: the token the majority baseline predicts.</summary>
    public string? MajorityToken { get; init; }

    /// <summary>Wall time of the whole run (data, tokenizer, training, evaluation, writing), seconds.</summary>
    public required double WallSeconds { get; init; }

    /// <summary>Wall time of training (evaluations included), seconds.</summary>
    public required double TrainSeconds { get; init; }

    /// <summary>Training tokens per second.</summary>
    public double? TokensPerSecond { get; init; }
}
