namespace PeftKit.Methods.PTuning;

/// <summary>The network that produces P-Tuning's pseudo-token embeddings during training.</summary>
public enum PromptEncoderKind
{
    /// <summary>Embedding → 2-layer bidirectional LSTM → Linear–ReLU–Linear (the paper).</summary>
    Lstm,

    /// <summary>Embedding → Linear–ReLU–Linear–ReLU–Linear (the reference library's MLP encoder).</summary>
    Mlp,

    /// <summary>The embeddings themselves (no encoder; the paper found this unstable).</summary>
    None,
}
