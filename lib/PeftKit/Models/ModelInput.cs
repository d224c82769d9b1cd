using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>A batch for <see cref="TransformerModel"/>.</summary>
/// <param name="InputIds">Token ids (B, T), int64.</param>
/// <param name="AttentionMask">(B, T) int64, 1 = real token, 0 = padding; null = all real.</param>
/// <param name="TokenTypeIds">(B, T) int64 segment ids (encoder only); null = all 0.</param>
/// <param name="Labels">LM/MLM/token labels (B, T) with -100 = ignore, or sequence labels (B); null = no loss.</param>
/// <param name="LogitPositions">LM/MLM heads only: (B) int64, one position per row; the head then runs on those positions
/// alone and the logits are (B, V) instead of (B, T, V) — for readers of a single position (a verbalizer at [MASK] or
/// after the last token), which skip the head's cost on every other position. Not combined with Labels.</param>
public sealed record ModelInput(Tensor InputIds, Tensor? AttentionMask = null, Tensor? TokenTypeIds = null, Tensor? Labels = null,
    Tensor? LogitPositions = null);
