using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>The stack of BERT layers, registered as <c>layer.{i}</c>; pre-LN adds the final <c>LayerNorm</c>.</summary>
internal sealed class BertEncoder : Module
{
    public readonly ModuleList<BertLayer> layer;
    readonly LayerNorm? LayerNorm;

    public BertEncoder(TransformerConfig config) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>([.. Enumerable.Range(0, config.NumLayers).Select(i => new BertLayer(config, i))]);
        if (config.PreLayerNorm) LayerNorm = nn.LayerNorm(config.HiddenSize, config.LayerNormEps);
        RegisterComponents();
    }

    /// <summary>x (B, T, d) through every layer, then the final LayerNorm when pre-LN.</summary>
    public Tensor forward(Tensor x, AttentionContext ctx)
    {
        foreach (var l in layer) x = l.forward(x, ctx);
        return LayerNorm is null ? x : LayerNorm.call(x);
    }
}
