using PeftKit.Models;

namespace PeftKit.Methods.Adapters;

/// <summary>Bottleneck adapters on a model, through the sublayer-adapter extension point.</summary>
internal sealed class BottleneckAdapterMethod : PeftAdapter
{
    readonly List<BottleneckAdapterLayer> _layers = [];
    readonly BaseOverlay? _layerNorms;

    public BottleneckAdapterMethod(PeftModel model, string name, AdapterConfig config) : base(model, name, config)
    {
        var existing = Base.named_modules().Select(m => m.module).OfType<BottleneckAdapterLayer>().ToList();
        var w = Base.WordEmbeddings.weight!;
        Sublayer[] where = config.Placement == AdapterPlacement.Houlsby ? [Sublayer.Attention, Sublayer.FeedForward] : [Sublayer.FeedForward];
        bool parallel = config.Placement == AdapterPlacement.Parallel;
        for (int i = 0; i < Base.Config.NumLayers; i++)
            foreach (var s in where)
            {
                var layer = existing.FirstOrDefault(e => e.Layer == i && e.Sublayer == s && e.IsParallel == parallel);
                if (layer is null)
                {
                    layer = new BottleneckAdapterLayer(i, s, parallel);
                    Place(layer, layer);
                }
                layer.AddAdapter(name, config, Base.Config.HiddenSize, w.device, w.dtype);
                _layers.Add(layer);
            }
        if (config.TrainLayerNorms)
            _layerNorms = new BaseOverlay(model.named_parameters().Where(p => IsLayerNorm(p.name)));
    }

    /// <summary>Puts <paramref name="module"/> (null removes it) in <paramref name="layer"/>'s slot of the model.</summary>
    void Place(BottleneckAdapterLayer layer, BottleneckAdapterLayer? module)
    {
        if (layer.IsParallel) Base.SetParallelAdapter(layer.Layer, layer.Sublayer, module);
        else Base.SetSublayerAdapter(layer.Layer, layer.Sublayer, module);
    }

    /// <summary>Body LayerNorms: GPT-2's ln_1/ln_2/ln_f, BERT's *.LayerNorm (not the MLM head's).</summary>
    static bool IsLayerNorm(string name) =>
        name.StartsWith("base_model.", StringComparison.Ordinal) && !name.StartsWith("base_model.cls.", StringComparison.Ordinal) &&
        name.Split('.') is var s && s.Length >= 2 && (s[^2].StartsWith("ln_", StringComparison.Ordinal) || s[^2] == "LayerNorm");

    protected override string? ParameterPrefix => "adapter_";

    internal override bool Owns(string parameterName) =>
        HasPrefixedSegment(parameterName, "adapter_", Name) || (_layerNorms is not null && IsLayerNorm(parameterName));

    internal override void SetEnabled(bool enabled)
    {
        foreach (var l in _layers) l.SetEnabled(Name, enabled);
        _layerNorms?.Apply(enabled);
    }

    internal override void Remove()
    {
        foreach (var l in _layers)
        {
            l.RemoveAdapter(Name);
            if (l.IsEmpty) Place(l, null);
        }
        _layers.Clear();
        _layerNorms?.Dispose();
    }

    internal override Dictionary<string, TorchSharp.torch.Tensor> StateToSave()
    {
        var state = base.StateToSave();
        if (_layerNorms is not null) foreach (var n in _layerNorms.Names) state[SavedKey(n)] = _layerNorms.Current(n);
        return state;
    }
}
