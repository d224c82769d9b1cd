namespace PeftKit.Models;

/// <summary>Which of the two architectures a <see cref="TransformerConfig"/> describes.</summary>
public enum ModelKind
{
    /// <summary>GPT-2-like causal decoder: pre-LayerNorm, learned positions, fused <c>c_attn</c>, tied LM head.</summary>
    Decoder,

    /// <summary>BERT-like bidirectional encoder: post-LayerNorm, token-type embeddings, pooler, MLM head.</summary>
    Encoder,
}
