using static TorchSharp.torch;

namespace PeftKit.Methods.Baselines;

/// <summary>
/// The baselines on a model. Full fine-tuning owns every body tensor (saved in full; a single adapter per model,
/// since keeping a second full copy for disabling is what PEFT avoids); a linear probe owns nothing but the head.
/// </summary>
internal sealed class BaselineAdapter : PeftAdapter
{
    readonly bool _trainsBody;
    readonly BaseOverlay? _overlay;

    public BaselineAdapter(PeftModel model, string name, PeftConfig config, bool trainsBody) : base(model, name, config)
    {
        _trainsBody = trainsBody;
        // Full fine-tuning keeps a copy of the base so DisableAdapters() still gives the original model.
        if (trainsBody) _overlay = new BaseOverlay(model.named_parameters().Where(p => Owns(p.name)));
    }

    internal override bool Owns(string parameterName) =>
        _trainsBody && parameterName.StartsWith("base_model.", StringComparison.Ordinal) && !PeftModel.IsHeadParameter(parameterName);

    internal override void SetEnabled(bool enabled) => _overlay?.Apply(enabled);

    internal override void Remove() => _overlay?.Dispose();

    internal override Dictionary<string, Tensor> StateToSave() =>
        _overlay is null ? [] : _overlay.Names.ToDictionary(SavedKey, _overlay.Current);
}
