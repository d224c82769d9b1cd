using static TorchSharp.torch;

namespace PeftKit.Methods.LnTuning;

/// <summary>
/// LN-tuning on a model: the weight (gain) and bias of every body <c>LayerNorm</c> module train (GPT-2's <c>ln_1</c>,
/// <c>ln_2</c>, <c>ln_f</c>; BERT's embeddings, attention-output and output LayerNorms; not the MLM head's under
/// <c>cls.</c>); the head follows <see cref="PeftConfig.TrainHead"/>. A <see cref="BaseOverlay"/> keeps the original
/// values, so disabling the adapter restores them. Saved under the reference library's keys,
/// <c>….ln_1.ln_tuning_layers.weight</c> (docs/methods.md, "LN-tuning").
/// </summary>
internal sealed class LnTuningAdapter : PeftAdapter
{
    readonly BaseOverlay _overlay;
    readonly HashSet<string> _names;

    public LnTuningAdapter(PeftModel model, string name, LnTuningConfig config) : base(model, name, config)
    {
        // Selected by module type, not by name: every TorchSharp LayerNorm of the base model outside the MLM head.
        _overlay = new BaseOverlay(Base.named_modules()
            .Where(m => m.module is TorchSharp.Modules.LayerNorm && !m.name.StartsWith("cls.", StringComparison.Ordinal))
            .SelectMany(m => m.module.named_parameters().Select(p => ($"base_model.{m.name}.{p.name}", p.parameter))));
        _names = [.. _overlay.Names];
        if (_names.Count == 0) throw new NotSupportedException("LN-tuning: the model has no LayerNorm to train.");
    }

    internal override bool Owns(string parameterName) => _names.Contains(parameterName);

    internal override void SetEnabled(bool enabled) => _overlay.Apply(enabled);

    internal override void Remove() => _overlay.Dispose();

    internal override Dictionary<string, Tensor> StateToSave() => _names.ToDictionary(FileKey, _overlay.Current);

    internal override Dictionary<string, LoadTarget> LoadTargets() => OwnedParameters().ToDictionary(p => FileKey(p.name), p => LoadTarget.Into(p.parameter));

    /// <summary>The reference library wraps each LayerNorm and keeps the trained copy in <c>ln_tuning_layers</c>: <c>base_model.model.h.0.ln_1.ln_tuning_layers.weight</c>.</summary>
    string FileKey(string parameterName)
    {
        var key = SavedKey(parameterName);
        int dot = key.LastIndexOf('.');
        return $"{key[..dot]}.ln_tuning_layers{key[dot..]}";
    }
}
