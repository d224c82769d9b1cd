using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>What <see cref="TransformerModel"/> returns. The caller owns the tensors; <see cref="Dispose"/> frees all three.</summary>
/// <param name="HiddenStates">Final hidden states (B, T, d) of the real input tokens only (virtual tokens removed).</param>
/// <param name="Logits">(B, T, V) for LM/MLM — (B, V) when <see cref="ModelInput.LogitPositions"/> is set —, (B, labels) for sequence and (B, T, labels) for token classification; null without a head.</param>
/// <param name="Loss">Mean cross-entropy over non-ignored labels when labels were given; else null.</param>
public sealed record ModelOutput(Tensor HiddenStates, Tensor? Logits, Tensor? Loss) : IDisposable
{
    /// <summary>Disposes the hidden states, logits and loss.</summary>
    public void Dispose()
    {
        HiddenStates.Dispose();
        Logits?.Dispose();
        Loss?.Dispose();
    }
}
