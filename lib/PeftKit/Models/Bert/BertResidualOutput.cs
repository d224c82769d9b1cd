using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>
/// BERT's "output" sublayer (attention.output and output): LayerNorm(adapter(dropout(dense(h))) + parallel(input) + residual).
/// The optional serial adapter sits before the residual add, as in Houlsby et al.; the optional parallel adapter (He et
/// al. 2022) adds its output, computed from the sublayer's input, beside it. Pre-LN: the same without the outer
/// LayerNorm, which the caller applies to the sublayer's input instead (<see cref="Normalize"/>).
/// </summary>
internal sealed class BertResidualOutput : Module
{
    Module<Tensor, Tensor> dense;
    readonly LayerNorm LayerNorm;
    readonly Dropout dropout;
    Module<Tensor, Tensor>? adapter;
    Module<Tensor, Tensor>? parallel_adapter;
    readonly bool _preLayerNorm;

    public BertResidualOutput(TransformerConfig config, int inFeatures) : base(nameof(BertResidualOutput))
    {
        _preLayerNorm = config.PreLayerNorm;
        dense = Linear(inFeatures, config.HiddenSize);
        LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.Dropout);
        RegisterComponents();
    }

    /// <summary>h (B, T, in), residual (B, T, d), the sublayer's input (B, T, d) → (B, T, d).</summary>
    public Tensor forward(Tensor h, Tensor residual, Tensor input)
    {
        var y = dropout.call(dense.call(h));   // (B, T, d)
        if (adapter is not null) y = adapter.call(y);
        if (parallel_adapter is not null) y = y + parallel_adapter.call(input);
        return _preLayerNorm ? y + residual : LayerNorm.call(y + residual);
    }

    /// <summary>Pre-LN: the sublayer's input x (B, T, d) normalised; post-LN: x unchanged.</summary>
    public Tensor Normalize(Tensor x) => _preLayerNorm ? LayerNorm.call(x) : x;

    public void SetAdapter(Module<Tensor, Tensor>? value)
    {
        adapter = value;
        ModuleTree.SetChild(this, nameof(adapter), value);
    }

    public void SetParallelAdapter(Module<Tensor, Tensor>? value)
    {
        parallel_adapter = value;
        ModuleTree.SetChild(this, nameof(parallel_adapter), value);
    }
}
