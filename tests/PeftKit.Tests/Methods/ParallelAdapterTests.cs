using System.Text.Json.Nodes;
using PeftKit.Methods.Adapters;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Methods;

/// <summary>
/// The parallel adapter of He et al. 2022: beside the feed-forward block, reading the block's input x = ln_2(h) and
/// adding s·up(act(down(x))) to the block's output. The shared checks (identity at init, only its tensors train,
/// closed-form count, save/load) run through <see cref="MethodTable"/>; these check where it sits and what it computes.
/// </summary>
public sealed class ParallelAdapterTests
{
    const int D = 32, T = 5;
    static readonly MethodRow Row = new("parallel", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel), false, false, _ => 0);

    /// <summary>Block 0's output (the input of <c>h.1.ln_1</c>) and the feed-forward block's input (<c>h.0.ln_2</c>'s output), each (T, D).</summary>
    static (Tensor block, Tensor ffnInput) LayerZero(nn.Module model, Tensor ids)
    {
        Module<Tensor, Tensor> Named(string suffix) =>
            (Module<Tensor, Tensor>)model.named_modules().Single(m => m.name.EndsWith(suffix, StringComparison.Ordinal)).module;
        Tensor? block = null, ffnInput = null;
        // The forward pass disposes its temporaries: keep copies outside its dispose scope.
        var h1 = Named("h.1.ln_1").register_forward_pre_hook((_, x) => { block = x.detach().clone().DetachFromDisposeScope(); return x; });
        var h2 = Named("h.0.ln_2").register_forward_hook((_, _, y) => { ffnInput = y.detach().clone().DetachFromDisposeScope(); return y; });
        using (no_grad())
        using (((Module<ModelInput, ModelOutput>)model).call(new ModelInput(ids))) { }
        h1.remove();
        h2.remove();
        return (block![0], ffnInput![0]);
    }

    [Fact]
    public void AddsTheScaledBottleneckOfTheFeedForwardInputToTheBlockOutput()
    {
        using var peft = Peft.Apply(Row.CreateBase(), new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, initStd: 0.5, scaling: 4));
        var p = peft.named_parameters().Where(x => x.name.Contains(".h.0.")).ToDictionary(x => x.name[(x.name.IndexOf(".h.0.") + 5)..], x => x.parameter.detach());
        Assert.Equal(["mlp_parallel_adapter.adapter_down.default.bias", "mlp_parallel_adapter.adapter_down.default.weight",
                      "mlp_parallel_adapter.adapter_up.default.bias", "mlp_parallel_adapter.adapter_up.default.weight"],
            p.Keys.Where(k => k.Contains("adapter")).Order());
        using var ids = tensor(new long[] { 5, 17, 42, 3, 28 }, int64).unsqueeze(0);   // (1, T)
        var (adapted, x) = LayerZero(peft, ids);
        Tensor plain;
        using (peft.DisableAdapters()) plain = LayerZero(peft, ids).block;

        // By hand: s·up(gelu(down(x))), x the feed-forward block's input; (T, d) → (T, r) → (T, d).
        using var z = functional.gelu(x.matmul(p["mlp_parallel_adapter.adapter_down.default.weight"].t()) + p["mlp_parallel_adapter.adapter_down.default.bias"]);
        using var expected = 4 * (z.matmul(p["mlp_parallel_adapter.adapter_up.default.weight"].t()) + p["mlp_parallel_adapter.adapter_up.default.bias"]);
        using var delta = adapted - plain;
        Assert.True(expected.abs().max().item<float>() > 0.1, "the adapter's contribution is large enough to tell placements apart");
        // float32: the block adds h + (y + δ) where the plain block adds h + y, |h|, |y|, |δ| ≲ 10 (unit round-off 6e-8):
        // 1e-5 covers that rounding; reading the block's output instead of its input, or s = 1, is off by > 1e-2.
        float error = (delta - expected).abs().max().item<float>();
        Assert.True(error < 1e-5, $"max |(adapted − plain) − s·up(gelu(down(x)))| = {error:E2}");
        plain.Dispose(); adapted.Dispose(); x.Dispose();
    }

    [Fact]
    public void AParallelAndASerialAdapterShareTheModelAndSwitch()
    {
        using var peft = Peft.Apply(Row.CreateBase(), new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Parallel, initStd: 0.5));
        peft.AddAdapter("serial", new AdapterConfig(bottleneck: 4, placement: AdapterPlacement.Pfeiffer, initStd: 0.5));
        using var ids = tensor(new long[] { 5, 17, 42 }, int64).unsqueeze(0);
        Tensor Out() { using var _ = no_grad(); using var o = peft.call(new ModelInput(ids)); return o.Logits!.clone(); }
        using var parallel = Out();
        peft.SetActiveAdapter("serial");
        using var serial = Out();
        peft.SetActiveAdapter("default");
        using var again = Out();
        Assert.True(parallel.eq(again).all().item<bool>(), "switching back gives the parallel adapter's outputs bit for bit");
        Assert.True((parallel - serial).abs().max().item<float>() > 1e-3, "the two placements compute different things");
    }

    [Fact]
    public void TheScalingRoundTripsAndAFileWithoutItReadsAsOne()
    {
        var json = new JsonObject();
        new AdapterConfig(placement: AdapterPlacement.Parallel, scaling: 4).WriteJson(json);
        Assert.Equal(4, AdapterConfig.Read(json).Scaling);
        Assert.Equal(AdapterPlacement.Parallel, AdapterConfig.Read(json).Placement);
        var plain = new JsonObject();
        new AdapterConfig().WriteJson(plain);
        Assert.False(plain.ContainsKey("scaling"), "an s = 1 adapter_config.json keeps the fields it had");
        Assert.Equal(1, AdapterConfig.Read(plain).Scaling);
        Assert.Contains("positive and finite", Assert.Throws<ArgumentOutOfRangeException>(() => new AdapterConfig(scaling: 0)).Message);
    }
}
