using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// Extension point 3: transforms the token embeddings before positions are added (prompt tuning, P-Tuning v1).
/// Position ids of the transformed sequence are <c>cumsum(mask) - 1</c>, so real and virtual tokens are numbered
/// consecutively in sequence order, as in Hugging Face prompt tuning; padding does not advance the count.
/// </summary>
public interface IInputTransform
{
    /// <summary>Returns the new embeddings (B, T', d) and attention mask (B, T') (1 = attend).</summary>
    /// <param name="tokenEmbeds">Word embeddings of <paramref name="inputIds"/>, (B, T, d).</param>
    /// <param name="inputIds">(B, T) int64.</param>
    /// <param name="attentionMask">(B, T) int64, 1 = real token.</param>
    (Tensor embeds, Tensor mask) Transform(Tensor tokenEmbeds, Tensor inputIds, Tensor attentionMask);

    /// <summary>(B, T) int64: for each input token, its index in the transformed sequence of length T'.
    /// The model trims its outputs back to these positions, so heads see only real tokens.</summary>
    Tensor RealTokenIndex(Tensor inputIds);
}
