using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>BERT feed-forward first half: dense (d → f) then exact (erf) GELU.</summary>
internal sealed class BertIntermediate : Module<Tensor, Tensor>
{
    Module<Tensor, Tensor> dense;

    public BertIntermediate(TransformerConfig config) : base(nameof(BertIntermediate))
    {
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => functional.gelu(dense.call(x));   // (B, T, f)
}
