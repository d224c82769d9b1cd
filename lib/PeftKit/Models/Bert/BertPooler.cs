using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>BERT pooler: tanh(dense(h[CLS])).</summary>
internal sealed class BertPooler : Module<Tensor, Tensor>
{
    Module<Tensor, Tensor> dense;

    public BertPooler(TransformerConfig config) : base(nameof(BertPooler))
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>cls (B, d) → (B, d).</summary>
    public override Tensor forward(Tensor cls) => tanh(dense.call(cls));
}
