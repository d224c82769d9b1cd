using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Models;

/// <summary>The encoder's pre-LN option (Xiong et al. 2020): LayerNorm before each sublayer, a final LayerNorm after the stack.</summary>
public sealed class PreLayerNormEncoderTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "peftkit-preln-" + Guid.NewGuid().ToString("N"));

    static readonly TransformerConfig PreLn = new(ModelKind.Encoder, vocabSize: 61, maxPositions: 40, hiddenSize: 32, numLayers: 2, numHeads: 4,
        intermediateSize: 64, layerNormEps: 1e-12f, dropout: 0.1f, typeVocabSize: 2) { PreLayerNorm = true };

    public PreLayerNormEncoderTests() => KitTorch.Setup();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A pre-LN model whose LayerNorm weights are not 1 and biases not 0, so a LayerNorm in the wrong place shows.</summary>
    static TransformerModel Create()
    {
        var model = new TransformerModel(PreLn, HeadKind.None);
        var gen = new Generator(3);
        using (no_grad())
            foreach (var (name, p) in model.named_parameters())
                if (name.Contains("LayerNorm")) p.copy_(randn(p.shape, generator: gen) * 0.3 + (name.EndsWith("weight") ? 1 : 0));
        model.eval();
        return model;
    }

    [Fact]
    public void HiddenStatesEqualTheEquationsWrittenOut()
    {
        using var model = Create();
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter.detach().clone());
        using var ids = randint(1, 61, [2, 7], generator: new Generator(5), dtype: int64);   // (B, T)
        using var _ = no_grad();
        using var output = model.forward(new ModelInput(ids));

        Tensor Ln(Tensor x, string name) => functional.layer_norm(x, [32], p[name + ".weight"], p[name + ".bias"], 1e-12);
        Tensor Dense(Tensor x, string name) => functional.linear(x, p[name + ".weight"], p[name + ".bias"]);
        Tensor Heads(Tensor x) => x.view(2, 7, 4, 8).transpose(1, 2);                          // (B, T, d) → (B, nh, T, hs)
        var x = Ln(p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][arange(7)]
                   + p["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm");   // (B, T, d)
        for (int l = 0; l < 2; l++)
        {
            var at = $"encoder.layer.{l}.";
            var h = Ln(x, at + "attention.output.LayerNorm");                                   // pre-LN: normalise the input
            var (q, k, v) = (Heads(Dense(h, at + "attention.self.query")), Heads(Dense(h, at + "attention.self.key")), Heads(Dense(h, at + "attention.self.value")));
            var weights = functional.softmax(q.matmul(k.transpose(-2, -1)) / Math.Sqrt(8), -1);   // (B, nh, T, T), no padding
            var attended = weights.matmul(v).transpose(1, 2).reshape(2, 7, 32);                 // (B, T, d)
            x = x + Dense(attended, at + "attention.output.dense");                             // residual, no LayerNorm after it
            var f = Dense(functional.gelu(Dense(Ln(x, at + "output.LayerNorm"), at + "intermediate.dense")), at + "output.dense");
            x = x + f;
        }
        x = Ln(x, "encoder.LayerNorm");                                                          // the final LayerNorm
        // float32 through two layers of d = 32: the kit's fused attention and these separate ops differ by ~1e-7.
        var gap = (output.HiddenStates - x).abs().max().item<float>();
        Assert.True(gap < 1e-5, $"largest difference {gap}");
    }

    [Fact]
    public void PostLayerNormStaysTheDefaultAndThePreLayerNormFlagRoundTrips()
    {
        Assert.False(TransformerConfig.TinyEncoder.PreLayerNorm);
        Assert.DoesNotContain("pre_layer_norm", TransformerConfig.TinyEncoder.ToJson());   // existing config.json files stay as they are
        Assert.Equal(PreLn, TransformerConfig.FromJson(PreLn.ToJson()));
        Assert.Contains("\"pre_layer_norm\":true", PreLn.ToJson().Replace(" ", ""));
        var decoder = TransformerConfig.TinyDecoder with { PreLayerNorm = true };
        Assert.Contains("normalises before each sublayer already", Assert.Throws<ArgumentException>(decoder.Validate).Message);
    }

    [Fact]
    public void TheFinalLayerNormIsCountedAndSavedUnderItsName()
    {
        using var model = Create();
        Assert.Equal(PreLn.BodyParameterCount, model.parameters().Sum(t => t.numel()));
        Assert.Equal((PreLn with { PreLayerNorm = false }).BodyParameterCount + 2 * 32, PreLn.BodyParameterCount);
        Assert.Contains(model.named_parameters(), x => x.name == "encoder.LayerNorm.weight");

        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "model.safetensors");
        model.SaveSafetensors(path);
        using var back = new TransformerModel(PreLn, HeadKind.None);
        back.LoadSafetensors(path);   // strict: every key and shape
        back.eval();
        using var ids = randint(1, 61, [2, 5], dtype: int64);
        using var _ = no_grad();
        using var a = model.forward(new ModelInput(ids));
        using var b = back.forward(new ModelInput(ids));
        Assert.True(a.HiddenStates.eq(b.HiddenStates).all().item<bool>());
        using var postLn = new TransformerModel(TransformerConfig.TinyEncoder with { VocabSize = 61, MaxPositions = 40, HiddenSize = 32, NumLayers = 2, NumHeads = 4, IntermediateSize = 64 }, HeadKind.None);
        Assert.ThrowsAny<Exception>(() => postLn.LoadSafetensors(path));   // a post-LN model has no encoder.LayerNorm: the strict load refuses
    }
}
