using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Models;

/// <summary>The stack of BERT layers, registered as <c>layer.{i}</c>.</summary>
internal sealed class BertEncoder : Module
{
    public readonly ModuleList<BertLayer> layer;

    public BertEncoder(TransformerConfig config) : base(nameof(BertEncoder))
    {
        layer = new ModuleList<BertLayer>([.. Enumerable.Range(0, config.NumLayers).Select(i => new BertLayer(config, i))]);
        RegisterComponents();
    }
}
