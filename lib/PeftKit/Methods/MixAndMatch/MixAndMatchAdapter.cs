using static TorchSharp.torch;

namespace PeftKit.Methods.MixAndMatch;

/// <summary>
/// The two parts of a mix-and-match adapter under one name: the prefix lives in <c>prompt_encoder.{name}</c> and the
/// model's Prefix slot, the bottleneck adapters in the feed-forward blocks (<c>…adapter_*.{name}…</c>), so their
/// parameters never collide; every call goes to both.
/// </summary>
internal sealed class MixAndMatchAdapter : PeftAdapter
{
    readonly PeftAdapter _prefix;
    readonly PeftAdapter _adapter;

    public MixAndMatchAdapter(PeftModel model, string name, MixAndMatchConfig config) : base(model, name, config)
    {
        _prefix = config.Prefix.CreateAdapter(model, name);
        try { _adapter = config.Adapter.CreateAdapter(model, name); }
        catch { _prefix.Remove(); throw; }
    }

    PeftAdapter[] Parts => [_prefix, _adapter];

    internal override bool Owns(string parameterName) => Parts.Any(p => p.Owns(parameterName));

    internal override void SetEnabled(bool enabled) { foreach (var p in Parts) p.SetEnabled(enabled); }

    internal override void Remove() { foreach (var p in Parts) p.Remove(); }

    // The parts' saved keys differ ("prompt_embeddings" against base_model.model.…adapter_* keys), so the union is safe.
    internal override Dictionary<string, Tensor> StateToSave() =>
        Parts.SelectMany(p => p.StateToSave()).ToDictionary(kv => kv.Key, kv => kv.Value);

    internal override Dictionary<string, LoadTarget> LoadTargets() =>
        Parts.SelectMany(p => p.LoadTargets()).ToDictionary(kv => kv.Key, kv => kv.Value);

    internal override void PrepareForLoad() { foreach (var p in Parts) p.PrepareForLoad(); }

    internal override void Consolidate() => _prefix.Consolidate();
}
