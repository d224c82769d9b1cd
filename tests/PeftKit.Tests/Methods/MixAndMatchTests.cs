using PeftKit.Methods.Adapters;
using PeftKit.Methods.MixAndMatch;
using PeftKit.Methods.PrefixTuning;

namespace PeftKit.Tests.Methods;

/// <summary>
/// The mix-and-match adapter (He et al. 2022, §4.6) is exactly its two parts at once: the shared checks (only its
/// tensors train, closed-form count, save/load, consolidation) run through <see cref="MethodTable"/>; these check that
/// it computes the prefix-tuned model plus the parallel adapter, and refuses what the recipe does not mean.
/// </summary>
public sealed class MixAndMatchTests
{
    static readonly MethodRow Row = new("mam", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PrefixTuningConfig(4, null), false, false, _ => 0);
    static readonly PrefixTuningConfig Prefix = new(numVirtualTokens: 4, encoderHiddenSize: 16);

    static Tensor Logits(PeftModel model, Tensor ids)
    {
        using var _ = no_grad();
        using var output = model.call(new ModelInput(ids));
        return output.Logits!.detach().clone();
    }

    static PeftModel Apply(PeftConfig config) => Peft.Apply(Row.CreateBase(), config);

    /// <summary>
    /// Gives <paramref name="to"/> the prefix (and its MLP) of <paramref name="from"/>: the parts have the same names in
    /// both. Copied rather than seeded, because test classes run in parallel and share the global generator.
    /// </summary>
    static void CopyPrefix(PeftModel from, PeftModel to)
    {
        var source = from.named_parameters().Where(p => p.name.StartsWith("prompt_encoder.", StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter);
        var targets = to.named_parameters().Where(p => p.name.StartsWith("prompt_encoder.", StringComparison.Ordinal)).ToList();
        Assert.Equal(source.Keys.Order(), targets.Select(p => p.name).Order());
        using (no_grad()) foreach (var (name, p) in targets) p.copy_(source[name]);
    }

    [Fact]
    public void WithAZeroUpProjectionItIsThePrefixTunedModelBitForBitAndOtherwiseAddsTheAdapter()
    {
        using var ids = tensor(new long[] { 5, 17, 42, 3, 28, 9 }, int64).unsqueeze(0);   // (1, T)
        using var prefixOnly = Apply(Prefix);
        using var mam = Apply(new MixAndMatchConfig(Prefix, new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, zeroUpProjection: true, trainLayerNorms: false, scaling: 4)));
        CopyPrefix(mam, prefixOnly);
        using var expected = Logits(prefixOnly, ids);
        using var zeroUp = Logits(mam, ids);
        Tensor plain;
        using (mam.DisableAdapters()) plain = Logits(mam, ids);
        // y + s·0 is y exactly in floating point, so anything but equality means the parts interfere.
        Assert.True(zeroUp.eq(expected).all().item<bool>(), "MAM with a zero up projection equals prefix tuning alone");
        Assert.True((zeroUp - plain).abs().max().item<float>() > 1e-2, "the prefix is active (not vacuous)");

        // Random, not constant: a constant added to every dimension of the residual stream is removed by the next LayerNorm.
        var gen = new Generator(5);
        using (no_grad())
            foreach (var (name, p) in mam.named_parameters().Where(x => x.name.Contains("adapter_up"))) p.copy_(randn(p.shape, generator: gen) * 0.5);
        using var both = Logits(mam, ids);
        Assert.True((both - expected).abs().max().item<float>() > 1e-2, "a non-zero adapter moves the output");
        using (mam.DisableAdapters()) Assert.True(Logits(mam, ids).eq(plain).all().item<bool>(), "disabling switches both parts off");
        plain.Dispose();
    }

    [Fact]
    public void BothPartsTrainAndNothingElse()
    {
        using var mam = Apply(new MixAndMatchConfig(Prefix, new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, trainLayerNorms: false, scaling: 4)));
        var trainable = mam.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Contains(trainable, n => n.StartsWith("prompt_encoder.default.", StringComparison.Ordinal));
        Assert.Contains(trainable, n => n.Contains(".mlp_parallel_adapter.adapter_down.default."));
        Assert.All(trainable, n => Assert.True(n.StartsWith("prompt_encoder.default.", StringComparison.Ordinal) || n.Contains("_parallel_adapter.adapter_"), n));
    }

    [Fact]
    public void AnAdapterAfterTheAttentionBlockOrAHeadSettingOnAPartIsRefusedWithTheReason()
    {
        var houlsby = Assert.Throws<ArgumentException>(() => new MixAndMatchConfig(Prefix, new AdapterConfig(bottleneck: 4)));
        Assert.Contains("AdapterPlacement.Parallel", houlsby.Message);
        var head = Assert.Throws<ArgumentException>(() => new MixAndMatchConfig(Prefix with { TrainHead = false }, new AdapterConfig(placement: AdapterPlacement.Parallel)));
        Assert.Contains("TrainHead", head.Message);
    }

    [Fact]
    public void ItsConfigurationRoundTripsWithBothPartsAndNamesAMissingPart()
    {
        var config = new MixAndMatchConfig(Prefix, new AdapterConfig(bottleneck: 8, placement: AdapterPlacement.Parallel, scaling: 4)) { TrainHead = false };
        var read = Assert.IsType<MixAndMatchConfig>(PeftConfig.FromJson(config.ToJson()));
        Assert.Equal(config, read);
        Assert.Equal(config.ToJson(), read.ToJson());
        var broken = config.ToJson().Replace("\"prefix\"", "\"prefx\"");
        Assert.Contains("'prefix'", Assert.Throws<InvalidDataException>(() => PeftConfig.FromJson(broken)).Message);
    }
}
