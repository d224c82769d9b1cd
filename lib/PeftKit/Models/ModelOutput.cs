using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>What <see cref="TransformerModel"/> returns. The caller owns the tensors; <see cref="Dispose"/> frees them all.</summary>
/// <param name="HiddenStates">Final hidden states (B, T, d) of the real input tokens only (virtual tokens removed).</param>
/// <param name="Logits">(B, T, V) for LM/MLM — (B, V) when <see cref="ModelInput.LogitPositions"/> is set —, (B, labels) for sequence and (B, T, labels) for token classification; null without a head.</param>
/// <param name="Loss">Mean cross-entropy over non-ignored labels when labels were given; else null.</param>
/// <param name="Pooled">Encoder: BERT's pooler output tanh(pooler.dense(HiddenStates[:, 0])) (B, d), Hugging Face's
/// pooler_output and what the sequence-classification head reads. Row position 0 is [CLS] in a right-padded batch; like
/// BertPooler it is read at position 0 whatever the mask. Decoder: null (GPT-2 has no pooler).</param>
public sealed record ModelOutput(Tensor HiddenStates, Tensor? Logits, Tensor? Loss, Tensor? Pooled = null) : IDisposable
{
    /// <summary>Disposes the hidden states, logits, loss and pooled output.</summary>
    public void Dispose()
    {
        HiddenStates.Dispose();
        Pooled?.Dispose();
        Logits?.Dispose();
        Loss?.Dispose();
    }
}
