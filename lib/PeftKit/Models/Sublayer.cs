namespace PeftKit.Models;

/// <summary>The two sublayers of a Transformer block whose output a sublayer adapter can transform.</summary>
public enum Sublayer
{
    /// <summary>The self-attention sublayer (after its output projection and dropout).</summary>
    Attention,

    /// <summary>The feed-forward (MLP) sublayer (after its output projection and dropout).</summary>
    FeedForward,
}
