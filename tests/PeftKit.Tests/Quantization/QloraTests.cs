using PeftKit.Methods.Lora;
using PeftKit.Quantization;
using PeftKit.Tests.Models;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Quantization;

/// <summary>Quantised layers in a model, and LoRA trained on top of them (QLoRA).</summary>
public sealed class QloraTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "peftkit-qlora-" + Guid.NewGuid().ToString("N"));

    public QloraTests() => KitTorch.Setup();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    static TransformerModel Quantised(QuantizationKind kind, out QuantizationReport report)
    {
        var model = TinyModels.Create(ModelKind.Decoder, seed: 3);
        model.eval();
        report = BaseQuantizer.Quantize(model, kind);
        return model;
    }

    static QuantizedLinear Layer(TransformerModel model, string path) => model.GetSubmodule(path) switch
    {
        LoraLinear lora => (QuantizedLinear)lora.BaseLayer,
        QuantizedLinear q => q,
        var other => throw new InvalidOperationException($"{path} is a {other.GetType().Name}"),
    };

    static Tensor Logits(Module<ModelInput, ModelOutput> m, Tensor ids)
    {
        using var _ = no_grad();
        using var o = m.call(new ModelInput(ids));
        return o.Logits!.clone();
    }

    [Fact]
    public void AQuantisedLayerComputesXTimesTheDequantisedWeightPlusBias()
    {
        using var linear = Linear(48, 20);
        using var layer = QuantizedLinear.From(linear, QuantizationKind.Nf4);
        using var x = randn(3, 5, 48, generator: new Generator(1));
        using var _ = no_grad();
        using var y = layer.call(x);
        using var expected = x.matmul(layer.Weight.Dequantize().t()) + linear.bias!;
        // Same products, different kernels (addmm vs matmul then add): float32 sums of 48 terms differ by ≲ 1e-7.
        Assert.True(y.allclose(expected, rtol: 0, atol: 1e-6), $"largest difference {(y - expected).abs().max().item<float>()}");
    }

    [Theory]
    [InlineData(QuantizationKind.Int8)]
    [InlineData(QuantizationKind.Nf4)]
    public void TrainingThroughAQuantisedLayerGivesTheGradientOfTheDequantisedLinear(QuantizationKind kind)
    {
        using var linear = Linear(48, 20);
        using var layer = QuantizedLinear.From(linear, kind);
        using var x0 = randn(3, 5, 48, generator: new Generator(2));
        using var g = randn(3, 5, 20, generator: new Generator(3));                   // an upstream ∂L/∂y
        using var x = x0.clone().requires_grad_();
        using var y = layer.call(x);                                                    // the custom autograd node
        y.backward([g]);
        using var xRef = x0.clone().requires_grad_();
        using var w = layer.Weight.Dequantize();
        using var yRef = functional.linear(xRef, w, layer.Bias);                        // what it must equal
        yRef.backward([g]);
        // The same kernels on the same float32 operands (linear forward; grad · W backward): equal bit for bit.
        Assert.True(y.eq(yRef).all().item<bool>(), $"forward differs by {(y - yRef).abs().max().item<float>()}");
        Assert.True(x.grad!.eq(xRef.grad!).all().item<bool>(), $"∂L/∂x differs by {(x.grad! - xRef.grad!).abs().max().item<float>()}");
        Assert.All(layer.parameters(), p => Assert.Null(p.grad));                       // the bias is frozen
    }

    [Fact]
    public void AConv1DIsQuantisedInLinearOrientation()
    {
        using var conv = new Conv1D(32, 96);
        using var layer = QuantizedLinear.From(conv, QuantizationKind.Int8);
        Assert.Equal((32, 96), (layer.InFeatures, layer.OutFeatures));
        using var w = conv.Weight.detach().t();                                        // (out, in)
        using var step = w.abs().amax([1], keepdim: true) / 127;
        Assert.True(((layer.Weight.Dequantize() - w).abs() / step).max().item<float>() <= 0.5 + 1e-5, "each weight within half a step of its row");
    }

    [Theory]
    [InlineData(QuantizationKind.Int8)]
    [InlineData(QuantizationKind.Nf4)]
    public void TheBlockLayersAreQuantisedAndTheRestStaysFloat(QuantizationKind kind)
    {
        using var reference = TinyModels.Create(ModelKind.Decoder, seed: 3);
        reference.eval();
        using var model = Quantised(kind, out var report);
        int layers = TinyModels.Of(ModelKind.Decoder).NumLayers;
        Assert.Equal(4 * layers, report.Layers.Count);                                 // c_attn, attn.c_proj, c_fc, mlp.c_proj per block
        Assert.All(report.Layers, path => Assert.IsType<QuantizedLinear>(model.GetSubmodule(path)));
        Assert.Contains(model.named_parameters(), p => p.name == "wte.weight");         // embeddings stay float parameters
        Assert.Equal(report.Layers.Sum(p => ((QuantizedLinear)model.GetSubmodule(p)).Weight.StoredBytes), report.StoredBytes);
        using var ids = randint(1, 50, [2, 9], generator: new Generator(2), dtype: int64);
        using var a = Logits(reference, ids);
        using var b = Logits(model, ids);
        var relative = ((a - b).norm() / a.norm()).item<float>();
        // Measured (fixed seeds): int8 0.04%, NF4 0.82%, in line with their per-weight steps (absmax/254 vs up to
        // 0.15·absmax of a 64-block). The bars sit ~4× above: a wrong orientation or scale moves the logits by tens of %.
        Assert.True(relative < (kind == QuantizationKind.Int8 ? 0.002 : 0.03), $"{kind}: logits moved by {relative:P2}");
        Assert.True(relative > 0, "quantisation changed nothing: the layers were not replaced");
    }

    [Fact]
    public void LoraOnAnNf4BaseStartsAsTheQuantisedModelAndTrainsOnlyTheAdapter()
    {
        using var model = Quantised(QuantizationKind.Nf4, out var report);
        using var ids = randint(1, 50, [2, 9], generator: new Generator(2), dtype: int64);
        using var before = Logits(model, ids);
        var stored = report.Layers.SelectMany(p => Layer(model, p).Weight.Stored).Select(t => t.clone()).ToList();
        var biases = report.Layers.Select(p => Layer(model, p).Bias!.clone()).ToList();

        using var peft = Peft.Apply(model, new LoraConfig(new[] { "c_attn", "c_fc" }, rank: 2));
        using (var atInit = Logits(peft, ids)) Assert.True(atInit.eq(before).all().item<bool>(), "B = 0: the quantised model exactly");
        peft.train();
        var trainable = peft.TrainableParameters().ToList();
        Assert.All(peft.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_", p.name));
        using var opt = optim.AdamW(trainable, 1e-2);
        for (int step = 0; step < 3; step++)
        {
            opt.zero_grad();
            using var output = peft.forward(new ModelInput(ids, Labels: ids));
            output.Loss!.backward();
            opt.step();
        }
        Assert.All(peft.named_parameters().Where(p => !p.parameter.requires_grad), p => Assert.True(p.parameter.grad is null, $"{p.name} got a gradient"));
        var now = report.Layers.SelectMany(p => Layer(model, p).Weight.Stored).ToList();
        Assert.Equal(stored.Count, now.Count);
        for (int i = 0; i < stored.Count; i++) Assert.True(stored[i].eq(now[i]).all().item<bool>(), $"stored tensor {i} changed");
        var biasesNow = report.Layers.Select(p => Layer(model, p).Bias!).ToList();
        for (int i = 0; i < biases.Count; i++) Assert.True(biases[i].eq(biasesNow[i]).all().item<bool>(), $"bias {i} changed");
        peft.eval();
        using var after = Logits(peft, ids);
        Assert.False(after.eq(before).all().item<bool>(), "the adapter trained");
    }

    [Theory]
    [InlineData(QuantizationKind.Int8)]
    [InlineData(QuantizationKind.Nf4)]
    public void TheParameterReportCountsQuantisedWeightsAsFrozenWeights(QuantizationKind kind)
    {
        var lora = new LoraConfig(new[] { "c_attn" }, rank: 4);
        using var floatPeft = Peft.Apply(TinyModels.Create(ModelKind.Decoder, seed: 3), lora);
        using var quantPeft = Peft.Apply(Quantised(kind, out _), lora);
        var (f, q) = (floatPeft.Report(), quantPeft.Report());
        // Same model, same adapter: the same numbers, whether W is stored as floats or as codes.
        Assert.Equal((f.Trainable, f.Total), (q.Trainable, q.Total));
        var row = q.Rows.Single(r => r.Module.EndsWith("h.0.attn.c_attn.base_layer"));
        Assert.Equal(f.Rows.Single(r => r.Module.EndsWith("h.0.attn.c_attn.base_layer")).Parameters, row.Parameters);
        Assert.Contains(kind == QuantizationKind.Nf4 ? "(NF4)" : "(int8)", row.Shapes);
    }

    [Fact]
    public void MergingDequantisesIntoFloat32AndUnmergingRestoresTheCodes()
    {
        using var model = Quantised(QuantizationKind.Nf4, out var report);
        using var peft = Peft.Apply(model, new LoraConfig(new[] { "c_attn" }, rank: 2));
        using (no_grad()) foreach (var (n, p) in peft.named_parameters()) if (n.Contains("lora_B")) p.normal_(0, 0.1);
        using var ids = randint(1, 50, [2, 6], generator: new Generator(8), dtype: int64);
        using var unmerged = Logits(peft, ids);
        var path = report.Layers.First(p => p.EndsWith("c_attn"));
        var codes = Layer(model, path);

        peft.Merge();
        var lora = (LoraLinear)model.GetSubmodule(path);
        var merged = Assert.IsType<TorchSharp.Modules.Linear>(lora.BaseLayer);
        Assert.Equal(float32, merged.weight!.dtype);
        Assert.False(merged.weight.requires_grad);
        using var mergedLogits = Logits(peft, ids);
        // (W₀ + s·BA)x against W₀x + s·B(Ax) in float32: the two orders of the same sums differ by ~1e-6 relative.
        Assert.True(mergedLogits.allclose(unmerged, rtol: 1e-5, atol: 1e-5), $"largest difference {(mergedLogits - unmerged).abs().max().item<float>()}");

        peft.Unmerge();
        Assert.Same(codes, ((LoraLinear)model.GetSubmodule(path)).BaseLayer);
        using var back = Logits(peft, ids);
        Assert.True(back.eq(unmerged).all().item<bool>(), "unmerged again: the quantised layer exactly");

        var plain = peft.MergeAndUnload();
        Assert.IsType<TorchSharp.Modules.Linear>(plain.GetSubmodule(path));              // merged targets end in float32
        Assert.IsType<QuantizedLinear>(plain.GetSubmodule(report.Layers.First(p => p.EndsWith("c_fc"))));   // the rest stays quantised
    }

    [Fact]
    public void AnAdapterTrainedOnAQuantisedBaseSavesAndLoadsExactly()
    {
        using var model = Quantised(QuantizationKind.Nf4, out _);
        using var peft = Peft.Apply(model, new LoraConfig(new[] { "c_attn", "c_fc" }, rank: 2));
        using (no_grad()) foreach (var (n, p) in peft.named_parameters()) if (n.Contains("lora_B")) p.normal_(0, 0.1);
        peft.SaveAdapter(_dir);
        using var ids = randint(1, 50, [2, 6], generator: new Generator(8), dtype: int64);
        using var expected = Logits(peft, ids);
        using var fresh = Quantised(QuantizationKind.Nf4, out _);                       // quantisation is deterministic
        using var loaded = Peft.Load(fresh, _dir);
        using var got = Logits(loaded, ids);
        Assert.True(got.eq(expected).all().item<bool>());
    }

    [Fact]
    public void QuantisingTwiceOrAfterPeftIsRefusedWithTheFix()
    {
        using var model = Quantised(QuantizationKind.Int8, out _);
        Assert.Contains("quantised already", Assert.Throws<InvalidOperationException>(() => BaseQuantizer.Quantize(model, QuantizationKind.Nf4)).Message);
        using var plain = TinyModels.Create(ModelKind.Decoder, seed: 3);
        using var peft = Peft.Apply(plain, new LoraConfig(new[] { "c_attn" }, rank: 2));
        Assert.Contains("quantise the base first", Assert.Throws<InvalidOperationException>(() => BaseQuantizer.Quantize(plain, QuantizationKind.Nf4)).Message);
    }
}
