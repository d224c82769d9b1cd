using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Methods.PTuning;

/// <summary>A <see cref="PromptEncoder"/> plugged into the model's InputTransform slot while enabled.</summary>
internal sealed class PTuningAdapter : PromptModuleAdapter
{
    public PTuningAdapter(PeftModel model, string name, PTuningConfig config)
        : base(model, name, config, new PromptEncoder(config.Encoder, config.NumVirtualTokens, model.BaseModel.Config.HiddenSize,
            config.EncoderHiddenSize ?? model.BaseModel.Config.HiddenSize, config.EncoderDropout, config.Template.PseudoTokenId))
    {
        long V = model.BaseModel.Config.VocabSize;
        if (config.Template.PseudoTokenId >= V || config.Template.MaskTokenId >= V)
            throw new ArgumentException($"The template's pseudo ({config.Template.PseudoTokenId}) and mask ({config.Template.MaskTokenId}) token ids must be below the vocabulary size {V}.");
        var w = model.BaseModel.WordEmbeddings.weight!;
        TorchSharp.ModuleExtensionMethods.to(TorchSharp.ModuleExtensionMethods.to(Encoder, w.dtype), w.device);
    }

    PromptEncoder Encoder => (PromptEncoder)PromptModule;

    internal override void SetEnabled(bool enabled)
    {
        if (enabled) Base.InputTransform = Encoder;
        else if (ReferenceEquals(Base.InputTransform, Encoder)) Base.InputTransform = null;
    }

    internal override void Consolidate() => Encoder.Consolidate();

    protected override Tensor Produced()
    {
        using var _ = no_grad();
        return Encoder.Produce().detach();
    }

    protected override Parameter LoadParameter() => Encoder.Embeddings;
}
