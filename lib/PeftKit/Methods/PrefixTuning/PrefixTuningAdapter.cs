using PeftKit.Models;
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
        : this(model, name, config, config.NumVirtualTokens, [.. Enumerable.Range(0, model.BaseModel.Config.NumLayers)], config.EncoderHiddenSize)
    {
        if (config.InitTokenIds is { } ids) Encoder.Initialize(ActivationsOf(model.BaseModel, ids));
    }

    /// <summary>
    /// The frozen model's keys and values for <paramref name="ids"/> (one sequence, no prefix, dropout off), laid out as
    /// the prefix: (n, L·2·d) with layer j's key in columns [2j·d, (2j+1)·d) and its value in the next d.
    /// </summary>
    static Tensor ActivationsOf(TransformerModel model, IReadOnlyList<int> ids)
    {
        var device = model.WordEmbeddings.weight!.device;
        var (prefix, transform, wasTraining) = (model.Prefix, model.InputTransform, model.training);
        (model.Prefix, model.InputTransform) = (null, null);   // another adapter's prompt must not colour the activations
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            using var cache = new KvCache(model.Config.NumLayers);
            using var input = tensor(ids.Select(t => (long)t).ToArray(), int64).unsqueeze(0).to(device);   // (1, n)
            using (model.forward(new ModelInput(input), cache)) { }
            int n = ids.Count, L = model.Config.NumLayers;
            var columns = Enumerable.Range(0, L).SelectMany(j =>
            {
                var (k, v) = cache.Layer(j)!.Value;                                        // each (1, nh, n, hs)
                return new[] { k[0].permute(1, 0, 2), v[0].permute(1, 0, 2) };              // each (n, nh, hs)
            });
            return stack([.. columns], 1).reshape(n, -1).MoveToOuterDisposeScope();       // (n, 2L, nh, hs) → (n, 2L·d)
        }
        finally
        {
            (model.Prefix, model.InputTransform) = (prefix, transform);
            model.train(wasTraining);
        }
    }

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
