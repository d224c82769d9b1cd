using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// Extension point 4: per-layer key/value prefixes (prefix tuning, P-Tuning v2). The model prepends them to the
/// layer's keys and values, extends the attention mask with <see cref="Length"/> ones (prefixes are visible to every
/// query, causal ones included) and leaves the positions of real tokens unchanged.
/// </summary>
public interface IPrefixProvider
{
    /// <summary>P, the number of virtual key/value positions per layer.</summary>
    int Length { get; }

    /// <summary>(key, value) each (B, nh, P, hs) for layer <paramref name="layer"/>, or null if that layer has no prefix.</summary>
    (Tensor key, Tensor value)? ForLayer(int layer, int batchSize);
}
