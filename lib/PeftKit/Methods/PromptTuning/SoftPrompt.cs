using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.PromptTuning;

/// <summary>
/// The soft prompt <c>embedding.weight</c> (n, d), prepended to the token embeddings: (B, T, d) → (B, n + T, d), mask
/// (B, n + T) with ones for the prompt. Virtual tokens take positions 0..n−1, real tokens follow.
/// </summary>
public sealed class SoftPrompt : Module, IInputTransform
{
    readonly Embedding embedding;   // (n, d)

    /// <summary>A prompt of <paramref name="length"/> vectors of width <paramref name="width"/>.</summary>
    public SoftPrompt(int length, int width) : base(nameof(SoftPrompt))
    {
        Length = length;
        embedding = Embedding(length, width);
        RegisterComponents();
    }

    /// <summary>n.</summary>
    public int Length { get; }

    /// <summary>The prompt vectors (n, d).</summary>
    public Parameter Weight => embedding.weight!;

    /// <inheritdoc/>
    public (Tensor embeds, Tensor mask) Transform(Tensor tokenEmbeds, Tensor inputIds, Tensor attentionMask)
    {
        long B = tokenEmbeds.shape[0];
        var prompt = embedding.weight!.unsqueeze(0).expand(B, -1, -1);                            // (B, n, d)
        var embeds = cat([prompt.to(tokenEmbeds.dtype), tokenEmbeds], 1);                           // (B, n + T, d)
        var mask = cat([ones(B, Length, attentionMask.dtype, attentionMask.device), attentionMask], 1); // (B, n + T)
        return (embeds, mask);
    }

    /// <inheritdoc/>
    public Tensor RealTokenIndex(Tensor inputIds) =>
        arange(Length, Length + inputIds.shape[1], int64, inputIds.device).unsqueeze(0).expand(inputIds.shape[0], -1);   // (B, T)
}
