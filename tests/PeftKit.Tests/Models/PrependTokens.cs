using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Models;

/// <summary>Prepends the embeddings of fixed real tokens, as prompt tuning prepends virtual ones.</summary>
internal sealed class PrependTokens(TransformerModel model, Tensor prompt) : IInputTransform
{
    public (Tensor embeds, Tensor mask) Transform(Tensor tokenEmbeds, Tensor inputIds, Tensor attentionMask)
    {
        long B = inputIds.shape[0], n = prompt.shape[1];
        var virtualEmbeds = model.WordEmbeddings.call(prompt).expand(B, -1, -1);                   // (B, n, d)
        return (cat([virtualEmbeds, tokenEmbeds], 1), cat([ones(B, n, int64), attentionMask], 1));
    }

    public Tensor RealTokenIndex(Tensor inputIds) =>
        (arange(inputIds.shape[1]) + prompt.shape[1]).expand(inputIds.shape[0], -1);             // (B, T)
}
