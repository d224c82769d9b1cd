using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>Positions read from an attention mask, shared by the classification head and the verbalizer.</summary>
public static class TokenPositions
{
    /// <summary>attentionMask (B, T), 1 = real, left- or right-padded → the last real position of each row (B).</summary>
    public static Tensor LastReal(Tensor attentionMask)
    {
        ArgumentNullException.ThrowIfNull(attentionMask);
        long T = attentionMask.shape[1];
        // The largest index among real positions: padding (0) contributes 0, so argmax finds the last 1.
        return (attentionMask.to(int64) * arange(T, device: attentionMask.device)).argmax(1);   // (B)
    }
}
