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
    readonly PeftAdapter[] _parts;   // the prefix, then the bottleneck adapters; Owns runs for every parameter name, so built once

    public MixAndMatchAdapter(PeftModel model, string name, MixAndMatchConfig config) : base(model, name, config)
    {
        _prefix = config.Prefix.CreateAdapter(model, name);
        PeftAdapter adapter;
        try { adapter = config.Adapter.CreateAdapter(model, name); }
        catch { _prefix.Remove(); throw; }
        _parts = [_prefix, adapter];
    }

    internal override bool Owns(string parameterName) => _parts.Any(p => p.Owns(parameterName));

    internal override void SetEnabled(bool enabled) { foreach (var p in _parts) p.SetEnabled(enabled); }

    internal override void Remove() { foreach (var p in _parts) p.Remove(); }

    // The parts' saved keys differ ("prompt_embeddings" against base_model.model.…adapter_* keys), so the union is safe.
    internal override Dictionary<string, Tensor> StateToSave() =>
        _parts.SelectMany(p => p.StateToSave()).ToDictionary(kv => kv.Key, kv => kv.Value);

    internal override Dictionary<string, LoadTarget> LoadTargets() =>
        _parts.SelectMany(p => p.LoadTargets()).ToDictionary(kv => kv.Key, kv => kv.Value);

    internal override void PrepareForLoad() { foreach (var p in _parts) p.PrepareForLoad(); }

    internal override void Consolidate() => _prefix.Consolidate();
}
