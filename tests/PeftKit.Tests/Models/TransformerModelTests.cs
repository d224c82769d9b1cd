using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Models;

public class TransformerModelTests
{
    public TransformerModelTests() => KitTorch.Setup();

    static long Count(Module m) => m.parameters().Sum(p => p.numel());

    [Fact]
    public void RealScaleShapesHaveTheHuggingFaceParameterCounts()
    {
        Assert.Equal(124_439_808, TransformerConfig.Gpt2Small.BodyParameterCount);
        Assert.Equal(109_482_240, TransformerConfig.BertBase.BodyParameterCount);
        // Build both for real: the analytic count must match the modules (LM head tied: adds nothing).
        using (var gpt2 = new TransformerModel(TransformerConfig.Gpt2Small))
            Assert.Equal(124_439_808, Count(gpt2));
        using (var bert = new TransformerModel(TransformerConfig.BertBase, HeadKind.None))
            Assert.Equal(109_482_240, Count(bert));
    }

    [Theory]
    [InlineData(ModelKind.Decoder)]
    [InlineData(ModelKind.Encoder)]
    public void AnalyticCountMatchesBuiltTinyBodies(ModelKind kind)
    {
        using var model = new TransformerModel(TinyModels.Of(kind), HeadKind.None);
        Assert.Equal(TinyModels.Of(kind).BodyParameterCount, Count(model));
        foreach (var preset in new[] { TransformerConfig.TinyDecoder, TransformerConfig.TinyEncoder })
        {
            using var m = new TransformerModel(preset, HeadKind.None);
            Assert.Equal(preset.BodyParameterCount, Count(m));
        }
    }

    [Fact]
    public void ParameterNamesAreTheCheckpointKeys()
    {
        using var gpt = TinyModels.Create(ModelKind.Decoder);
        var g = gpt.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal([32L, 96L], g["h.0.attn.c_attn.weight"]);   // Conv1D: (in, out)
        Assert.Equal([64L, 32L], g["h.1.mlp.c_proj.weight"]);
        foreach (var key in new[] { "wte.weight", "wpe.weight", "h.0.ln_1.weight", "h.0.ln_2.bias", "h.0.attn.c_proj.bias", "h.0.mlp.c_fc.weight", "ln_f.weight" })
            Assert.Contains(key, g.Keys);
        Assert.Equal(2 + 2 * 12 + 2, g.Count);   // wte, wpe, 12 per block, ln_f: no separate lm_head (tied)

        using var bert = TinyModels.Create(ModelKind.Encoder);
        var b = bert.named_parameters().Select(p => p.name).ToHashSet();
        foreach (var key in new[] { "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
                     "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "encoder.layer.1.attention.self.query.weight",
                     "encoder.layer.0.attention.self.value.bias", "encoder.layer.0.attention.output.dense.weight", "encoder.layer.0.attention.output.LayerNorm.bias",
                     "encoder.layer.0.intermediate.dense.weight", "encoder.layer.0.output.dense.weight", "encoder.layer.0.output.LayerNorm.weight",
                     "pooler.dense.weight", "cls.predictions.bias", "cls.predictions.transform.dense.weight", "cls.predictions.transform.LayerNorm.weight" })
            Assert.Contains(key, b);
    }

    [Fact]
    public void DecoderOutputAtTDoesNotSeeLaterTokens()
    {
        using var model = TinyModels.Create(ModelKind.Decoder);
        using var ids = TinyModels.Ids(2, 12, seed: 3);
        using var changed = ids.clone();
        changed[.., 6..] = TinyModels.Ids(2, 6, seed: 4);
        using var a = model.forward(new ModelInput(ids)).Logits!;
        using var b = model.forward(new ModelInput(changed)).Logits!;
        // Masked keys get weight exp(min - max) = 0 exactly and the reductions have the same length, so equal bit for bit.
        Assert.True(TinyModels.Same(a[.., ..6], b[.., ..6]));
        Assert.False(a[.., 6..].allclose(b[.., 6..]));   // the later positions do see the change
    }

    [Fact]
    public void EncoderOutputAtTDoesSeeLaterTokens()
    {
        using var model = TinyModels.Create(ModelKind.Encoder);
        using var ids = TinyModels.Ids(1, 12, seed: 3);
        using var changed = ids.clone();
        changed[0, 11] = (ids[0, 11] % 60) + 1;
        using var a = model.forward(new ModelInput(ids)).HiddenStates;
        using var b = model.forward(new ModelInput(changed)).HiddenStates;
        Assert.False(a[.., 0].allclose(b[.., 0]));
    }

    // Padding changes the length of the softmax/matmul reductions, which may reorder float32 sums: 1e-5 absolute on
    // O(1) activations is ~100 ulps, far below any real masking error (a leaked pad key moves outputs by ~1e-1).
    internal const double PadTol = 1e-5;

    [Theory]
    [InlineData(ModelKind.Decoder, false)]
    [InlineData(ModelKind.Decoder, true)]
    [InlineData(ModelKind.Encoder, false)]
    public void PaddingDoesNotChangeRealTokenOutputs(ModelKind kind, bool leftPad)
    {
        using var model = TinyModels.Create(kind);
        using var longIds = TinyModels.Ids(1, 9, seed: 5);
        using var shortIds = TinyModels.Ids(1, 4, seed: 6);
        using var pad = zeros(1, 5, int64);
        using var batch = cat([longIds, leftPad ? cat([pad, shortIds], 1) : cat([shortIds, pad], 1)], 0);          // (2, 9)
        using var mask = cat([ones(1, 9, int64), leftPad ? cat([pad, ones(1, 4, int64)], 1) : cat([ones(1, 4, int64), pad], 1)], 0);
        using var both = model.forward(new ModelInput(batch, mask)).Logits!;
        using var alone1 = model.forward(new ModelInput(longIds)).Logits!;
        using var alone2 = model.forward(new ModelInput(shortIds)).Logits!;
        Assert.True(both[0].allclose(alone1[0], rtol: 0, atol: PadTol));
        var real = leftPad ? both[1, 5..] : both[1, ..4];
        Assert.True(real.allclose(alone2[0], rtol: 0, atol: PadTol), $"max diff {(real - alone2[0]).abs().max().item<float>()}");
    }

    [Fact]
    public void EncoderClassificationPoolsTheFirstRealToken()
    {
        using var model = TinyModels.Create(ModelKind.Encoder, HeadKind.SequenceClassification, 3);
        using var prompt = TinyModels.Ids(1, 2, seed: 16);
        using var ids = TinyModels.Ids(2, 5, seed: 17);
        model.InputTransform = new PrependTokens(model, prompt);
        using var output = model.forward(new ModelInput(ids));
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using var pooled = tanh(functional.linear(output.HiddenStates[.., 0], p["pooler.dense.weight"], p["pooler.dense.bias"]));
        using var logits = functional.linear(pooled, p["classifier.weight"], p["classifier.bias"]);
        Assert.True(output.Logits!.allclose(logits, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void DecoderClassificationScoresTheLastRealTokenAndComputesLoss()
    {
        using var model = TinyModels.Create(ModelKind.Decoder, HeadKind.SequenceClassification, 2);
        Assert.Contains("score.weight", model.named_parameters().Select(p => p.name));
        using var ids = TinyModels.Ids(2, 6, seed: 18);
        using var mask = tensor(new long[,] { { 1, 1, 1, 1, 1, 1 }, { 1, 1, 1, 0, 0, 0 } });
        using var labels = tensor(new long[] { 1, 0 });
        using var output = model.forward(new ModelInput(ids, mask, Labels: labels));
        var w = model.named_parameters().First(p => p.name == "score.weight").parameter;
        using var last = stack([output.HiddenStates[0, 5], output.HiddenStates[1, 2]]);
        using var expected = functional.linear(last, w);
        Assert.True(output.Logits!.allclose(expected, rtol: 0, atol: 1e-6));
        using var manualLoss = functional.cross_entropy(expected, labels);
        Assert.Equal(manualLoss.item<float>(), output.Loss!.item<float>(), 6);
    }

    [Fact]
    public void LanguageModelLossPredictsTheNextTokenThroughTiedEmbeddings()
    {
        using var model = TinyModels.Create(ModelKind.Decoder);
        using var ids = TinyModels.Ids(2, 6, seed: 19);
        using var labels = ids.clone();
        labels[1, 4..] = -100;
        using var output = model.forward(new ModelInput(ids, Labels: labels));
        using var logits = functional.linear(output.HiddenStates, model.WordEmbeddings.weight!);
        Assert.True(TinyModels.Same(output.Logits!, logits));
        // Manual: mean of -log p(ids[t+1]) over t = 0..4 of row 0 and t = 0..2 of row 1.
        using var logp = functional.log_softmax(logits, -1);
        double sum = 0; int n = 0;
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++)
                if (labels[b, t + 1].item<long>() != -100) { sum -= logp[b, t, labels[b, t + 1].item<long>()].item<float>(); n++; }
        Assert.Equal(8, n);
        Assert.Equal(sum / n, output.Loss!.item<float>(), 5);
    }

    [Theory]
    [InlineData(ModelKind.Decoder)]
    [InlineData(ModelKind.Encoder)]
    public void LogitPositionsRunTheLanguageModelHeadAtThosePositionsOnly(ModelKind kind)
    {
        using var model = TinyModels.Create(kind);
        model.eval();
        using var ids = TinyModels.Ids(3, 7, seed: 22);
        using var at = tensor(new long[] { 6, 0, 3 });
        using var full = model.forward(new ModelInput(ids)).Logits!;                          // (3, 7, V)
        using var picked = model.forward(new ModelInput(ids, LogitPositions: at)).Logits!;     // (3, V)
        Assert.Equal([3L, model.Config.VocabSize], picked.shape);
        using var expected = stack([full[0, 6], full[1, 0], full[2, 3]]);                    // (3, V)
        // The same dot products on fewer rows: only the BLAS blocking differs, which moves float32 results by at most a
        // few ulps of logits of size ~1 (1e-5 is ~100 ulps; a wrong row or position differs by ~1).
        Assert.True(picked.allclose(expected, rtol: 0, atol: 1e-5), $"max |Δ| = {(picked - expected).abs().max().item<float>()}");

        Assert.Contains("not both", Assert.Throws<ArgumentException>(() => model.forward(new ModelInput(ids, Labels: zeros_like(ids), LogitPositions: at))).Message);
        Assert.Contains("one position per row", Assert.Throws<ArgumentException>(() => model.forward(new ModelInput(ids, LogitPositions: tensor(new long[] { 1, 2 })))).Message);
        model.WithClassificationHead(2);
        Assert.Contains("Leave it null", Assert.Throws<ArgumentException>(() => model.forward(new ModelInput(ids, LogitPositions: at))).Message);
    }

    [Fact]
    public void HeadsCanBeSwappedAndBadLabelsAreRejected()
    {
        using var model = TinyModels.Create(ModelKind.Encoder);
        model.WithTokenClassificationHead(4);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.DoesNotContain(names, n => n.StartsWith("cls."));
        Assert.Contains("classifier.weight", names);
        using var ids = TinyModels.Ids(2, 5, seed: 20);
        using var output = model.forward(new ModelInput(ids));
        Assert.Equal([2L, 5L, 4L], output.Logits!.shape);
        var e = Assert.Throws<ArgumentException>(() => model.forward(new ModelInput(ids, Labels: zeros(2, int64))));
        Assert.Contains("Labels must be int64 of shape (2, 5)", e.Message);
        Assert.Throws<ArgumentException>(() => model.WithHead(HeadKind.LanguageModel));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.WithClassificationHead(0));
    }

    [Fact]
    public void CachedStepsEqualOneFullPassAlsoWithAPrefix()
    {
        using var model = TinyModels.Create(ModelKind.Decoder);
        using var ids = TinyModels.Ids(2, 9, seed: 21);
        foreach (var prefix in new IPrefixProvider?[] { null, new RandomPrefix(3, 4, 8) })
        {
            model.Prefix = prefix;
            using var full = model.forward(new ModelInput(ids)).Logits!;
            using var cache = new KvCache(2);
            using var first = model.forward(new ModelInput(ids[.., ..5]), cache).Logits!;
            using var second = model.forward(new ModelInput(ids[.., 5..7]), cache).Logits!;
            using var third = model.forward(new ModelInput(ids[.., 7..]), cache).Logits!;
            Assert.Equal(9, cache.Length);
            using var stepped = cat([first, second, third], 1);
            Assert.True(stepped.allclose(full, rtol: 0, atol: 1e-5));
        }
    }

    [Fact]
    public void ConfigRejectsBadShapesWithActionableMessages()
    {
        var e = Assert.Throws<ArgumentException>(() => TinyModels.Decoder with { NumHeads = 5 } is var c ? new TransformerModel(c) : null);
        Assert.Contains("HiddenSize (32) must be divisible by NumHeads (5)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => TinyModels.Decoder with { Dropout = 1f });
        Assert.Throws<ArgumentException>(() => new TransformerConfig(ModelKind.Encoder, 10, 10, 8, 1, 2, 16, 1e-5f, 0f));
        var roundTrip = TransformerConfig.FromJson(TransformerConfig.BertBase.ToJson());
        Assert.Equal(TransformerConfig.BertBase, roundTrip);
        Assert.Contains("\"hidden_size\": 768", TransformerConfig.BertBase.ToJson());
        using var model = TinyModels.Create(ModelKind.Decoder);
        var tooLong = Assert.Throws<ArgumentException>(() => model.forward(new ModelInput(zeros(1, 41, int64))));
        Assert.Contains("has 41 positions", tooLong.Message);
    }
}
