using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// BERT's "output" sublayer (attention.output and output): LayerNorm(adapter(dropout(dense(h))) + residual).
/// The optional adapter sits before the post-LN add, as in Houlsby et al.
/// </summary>
internal sealed class BertResidualOutput : Module
{
    Module<Tensor, Tensor> dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
    Module<Tensor, Tensor>? adapter;

    public BertResidualOutput(TransformerConfig config, int inFeatures) : base(nameof(BertResidualOutput))
    {
        dense = Linear(inFeatures, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>h (B, T, in), residual (B, T, d) → (B, T, d).</summary>
    public Tensor forward(Tensor h, Tensor residual)
    {
        var y = dropout.call(dense.call(h));   // (B, T, d)
        if (adapter is not null) y = adapter.call(y);
        return LayerNorm.call(y + residual);
    }

    public void SetAdapter(Module<Tensor, Tensor>? value)
    {
        adapter = value;
        ModuleTree.SetChild(this, nameof(adapter), value);
    }
}
