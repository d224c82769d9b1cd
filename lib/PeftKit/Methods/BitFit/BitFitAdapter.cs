using static TorchSharp.torch;

namespace PeftKit.Methods.BitFit;

/// <summary>
/// BitFit on a model: every body bias (names ending in <c>.bias</c>, LayerNorm biases included, head excluded — the
/// head follows <see cref="PeftConfig.TrainHead"/>) trains. A <see cref="BaseOverlay"/> keeps the original biases, so
/// disabling the adapter restores them.
/// </summary>
internal sealed class BitFitAdapter : PeftAdapter
{
    readonly BaseOverlay _overlay;
    readonly HashSet<string> _names;

    public BitFitAdapter(PeftModel model, string name, BitFitConfig config) : base(model, name, config)
    {
        _overlay = new BaseOverlay(model.named_parameters()
            .Where(p => p.name.StartsWith("base_model.", StringComparison.Ordinal) && p.name.EndsWith(".bias", StringComparison.Ordinal) && !PeftModel.IsHeadParameter(p.name)));
        _names = [.. _overlay.Names];
        if (_names.Count == 0) throw new NotSupportedException("BitFit: the model has no bias parameters to train.");
    }

    internal override bool Owns(string parameterName) => _names.Contains(parameterName);

    internal override void SetEnabled(bool enabled) => _overlay.Apply(enabled);

    internal override void Remove() => _overlay.Dispose();

    internal override Dictionary<string, Tensor> StateToSave() => _names.ToDictionary(SavedKey, _overlay.Current);
}
