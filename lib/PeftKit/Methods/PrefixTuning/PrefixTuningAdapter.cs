using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Methods.PrefixTuning;

/// <summary>A <see cref="PrefixEncoder"/> plugged into the model's Prefix slot while enabled.</summary>
internal class PrefixTuningAdapter : PromptModuleAdapter
{
    public PrefixTuningAdapter(PeftModel model, string name, PeftConfig config, int length, IReadOnlyList<int> layers, int? hidden)
        : base(model, name, config, new PrefixEncoder(model.BaseModel.Config, length, layers, hidden))
    {
        var w = model.BaseModel.WordEmbeddings.weight!;
        TorchSharp.ModuleExtensionMethods.to(TorchSharp.ModuleExtensionMethods.to(Encoder, w.dtype), w.device);
    }

    public PrefixTuningAdapter(PeftModel model, string name, PrefixTuningConfig config)
        : this(model, name, config, config.NumVirtualTokens, [.. Enumerable.Range(0, model.BaseModel.Config.NumLayers)], config.EncoderHiddenSize) { }

    PrefixEncoder Encoder => (PrefixEncoder)PromptModule;

    internal override void SetEnabled(bool enabled)
    {
        if (enabled) Base.Prefix = Encoder;
        else if (ReferenceEquals(Base.Prefix, Encoder)) Base.Prefix = null;
    }

    internal override void Consolidate() => Encoder.Consolidate();

    protected override Tensor Produced()
    {
        using var _ = no_grad();
        return Encoder.Produce().detach();
    }

    protected override Parameter LoadParameter() => Encoder.PrefixParameter;
}
