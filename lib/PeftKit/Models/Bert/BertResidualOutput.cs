using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// BERT's "output" sublayer (attention.output and output): LayerNorm(adapter(dropout(dense(h))) + residual).
/// The optional adapter sits before the residual add, as in Houlsby et al. Pre-LN: adapter(dropout(dense(h))) + residual,
/// and the same LayerNorm is applied by the caller to the sublayer's input instead (<see cref="Normalize"/>).
/// </summary>
internal sealed class BertResidualOutput : Module
{
    Module<Tensor, Tensor> dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
    Module<Tensor, Tensor>? adapter;
    readonly bool _preLayerNorm;

    public BertResidualOutput(TransformerConfig config, int inFeatures) : base(nameof(BertResidualOutput))
    {
        _preLayerNorm = config.PreLayerNorm;
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
        return _preLayerNorm ? y + residual : LayerNorm.call(y + residual);
    }

    /// <summary>Pre-LN: the sublayer's input x (B, T, d) normalised; post-LN: x unchanged.</summary>
    public Tensor Normalize(Tensor x) => _preLayerNorm ? LayerNorm.call(x) : x;

    public void SetAdapter(Module<Tensor, Tensor>? value)
    {
        adapter = value;
        ModuleTree.SetChild(this, nameof(adapter), value);
    }
}
