namespace PeftKit.Methods.PromptTuning;

/// <summary>The initialisation of a soft prompt.</summary>
/// <param name="Kind">Which scheme.</param>
/// <param name="Range">Half-width of the uniform range (Random).</param>
/// <param name="TokenIds">Token ids of the init text (Text); repeated or truncated to n as the reference library does.</param>
public sealed record PromptInit(PromptInitKind Kind, double Range = 0.5, IReadOnlyList<long>? TokenIds = null)
{
    /// <summary>Uniform in [−<paramref name="range"/>, <paramref name="range"/>] (Lester et al. use 0.5).</summary>
    public static PromptInit Random(double range = 0.5) =>
        range > 0 && double.IsFinite(range) ? new(PromptInitKind.Random, range) : throw new ArgumentOutOfRangeException(nameof(range), range, "The uniform range must be positive.");

    /// <summary>Embeddings of uniformly sampled vocabulary tokens.</summary>
    public static PromptInit SampledVocab() => new(PromptInitKind.SampledVocab);

    /// <summary>Embeddings of <paramref name="tokenIds"/> (e.g. a tokenized task description or the class words).</summary>
    public static PromptInit Text(IReadOnlyList<long> tokenIds) =>
        tokenIds is { Count: > 0 } ? new(PromptInitKind.Text, TokenIds: [.. tokenIds]) : throw new ArgumentException("Text init needs at least one token id.", nameof(tokenIds));
}
