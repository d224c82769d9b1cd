using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>A batch for <see cref="TransformerModel"/>.</summary>
/// <param name="InputIds">Token ids (B, T), int64.</param>
/// <param name="AttentionMask">(B, T) int64, 1 = real token, 0 = padding; null = all real.</param>
/// <param name="TokenTypeIds">(B, T) int64 segment ids (encoder only); null = all 0.</param>
/// <param name="Labels">LM/MLM/token labels (B, T) with -100 = ignore, or sequence labels (B); null = no loss.</param>
public sealed record ModelInput(Tensor InputIds, Tensor? AttentionMask = null, Tensor? TokenTypeIds = null, Tensor? Labels = null);
