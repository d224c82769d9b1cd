using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Models;

/// <summary>The model's extension points (sublayer adapters, replaced submodules, attention prefixes, input transforms): each one does what a method built on it assumes.</summary>
public class TransformerModelExtensionPointTests
{
    public TransformerModelExtensionPointTests() => KitTorch.Setup();

    sealed class Zero() : Module<Tensor, Tensor>("Zero")
    {
        public override Tensor forward(Tensor x) => zeros_like(x);
    }

    [Theory]
    [InlineData(ModelKind.Decoder)]
    [InlineData(ModelKind.Encoder)]
    public void IdentitySublayerAdapterLeavesOutputsBitIdentical(ModelKind kind)
    {
        using var model = TinyModels.Create(kind);
        using var ids = TinyModels.Ids(2, 7, seed: 7);
        using var before = model.forward(new ModelInput(ids)).Logits!;
        for (int i = 0; i < 2; i++)
        {
            model.SetSublayerAdapter(i, Sublayer.Attention, Identity());
            model.SetSublayerAdapter(i, Sublayer.FeedForward, Identity());
        }
        using var after = model.forward(new ModelInput(ids)).Logits!;
        Assert.True(TinyModels.Same(before, after));
    }

    [Fact]
    public void DecoderAdaptersSitBeforeTheResidualAdd()
    {
        // Zeroing every sublayer output leaves only the residual stream: ln_f(wte[ids] + wpe[positions]).
        using var model = TinyModels.Create(ModelKind.Decoder, HeadKind.None);
        var names = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            model.SetSublayerAdapter(i, Sublayer.Attention, new Zero());
            model.SetSublayerAdapter(i, Sublayer.FeedForward, new Zero());
        }
        Assert.Contains("h.0.attn_adapter", model.named_modules().Select(m => m.name));
        Assert.Contains("h.1.mlp_adapter", model.named_modules().Select(m => m.name));
        using var ids = TinyModels.Ids(2, 7, seed: 8);
        using var hidden = model.forward(new ModelInput(ids)).HiddenStates;
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        using var expected = functional.layer_norm(p["wte.weight"][ids] + p["wpe.weight"][arange(7)], [32], p["ln_f.weight"], p["ln_f.bias"], 1e-5);
        Assert.True(hidden.allclose(expected, rtol: 0, atol: 1e-6));

        model.SetSublayerAdapter(0, Sublayer.Attention, null);
        Assert.DoesNotContain("h.0.attn_adapter", model.named_modules().Select(m => m.name));
        using var back = model.forward(new ModelInput(ids)).HiddenStates;
        Assert.False(back.allclose(expected, rtol: 0, atol: 1e-3));
    }

    [Fact]
    public void EncoderAdaptersSitBeforeThePostLayerNormAdd()
    {
        // With zero sublayer outputs each layer is LN_out(LN_attn(x)) over the embedding output.
        using var model = TinyModels.Create(ModelKind.Encoder, HeadKind.None);
        for (int i = 0; i < 2; i++)
        {
            model.SetSublayerAdapter(i, Sublayer.Attention, new Zero());
            model.SetSublayerAdapter(i, Sublayer.FeedForward, new Zero());
        }
        var modules = model.named_modules().Select(m => m.name).ToList();
        Assert.Contains("encoder.layer.0.attention.output.adapter", modules);
        Assert.Contains("encoder.layer.1.output.adapter", modules);
        using var ids = TinyModels.Ids(2, 7, seed: 9);
        using var hidden = model.forward(new ModelInput(ids)).HiddenStates;
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        Tensor Ln(Tensor x, string prefix) => functional.layer_norm(x, [32], p[prefix + ".weight"], p[prefix + ".bias"], 1e-12);
        var x = Ln(p["embeddings.word_embeddings.weight"][ids] + p["embeddings.position_embeddings.weight"][arange(7)]
                   + p["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm");
        for (int i = 0; i < 2; i++)
            x = Ln(Ln(x, $"encoder.layer.{i}.attention.output.LayerNorm"), $"encoder.layer.{i}.output.LayerNorm");
        Assert.True(hidden.allclose(x, rtol: 0, atol: 1e-5));
    }

    sealed class Wrap : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> base_layer;
        readonly double _scale;
        public Wrap(Module<Tensor, Tensor> inner, double scale) : base("Wrap") { base_layer = inner; _scale = scale; RegisterComponents(); }
        public override Tensor forward(Tensor x) => _scale == 1 ? base_layer.call(x) : base_layer.call(x) * _scale;
    }

    [Theory]
    [InlineData(ModelKind.Decoder, "h.0.attn.c_attn")]
    [InlineData(ModelKind.Encoder, "encoder.layer.1.attention.self.query")]
    public void ReplacedSubmoduleIsUsedAndKeepsItsName(ModelKind kind, string name)
    {
        using var model = TinyModels.Create(kind);
        using var ids = TinyModels.Ids(2, 6, seed: 10);
        using var before = model.forward(new ModelInput(ids)).Logits!;
        var order = model.named_parameters().Select(p => p.name).ToList();
        var original = model.GetSubmodule(name);

        model.ReplaceSubmodule(name, new Wrap(original, 1.0));
        Assert.IsType<Wrap>(model.GetSubmodule(name));
        var renamed = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(order.Select(n => n.StartsWith(name + ".") ? name + ".base_layer" + n[name.Length..] : n), renamed);   // same order
        using var same = model.forward(new ModelInput(ids)).Logits!;
        Assert.True(TinyModels.Same(before, same));

        model.ReplaceSubmodule(name, new Wrap(original, 0.5));
        using var changed = model.forward(new ModelInput(ids)).Logits!;
        Assert.False(before.allclose(changed));
    }

    [Fact]
    public void UnknownOrWrongSubmoduleNamesListTheLinearLayers()
    {
        using var model = TinyModels.Create(ModelKind.Decoder);
        var e = Assert.Throws<ArgumentException>(() => model.GetSubmodule("h.0.attn.q_proj"));
        Assert.Contains("No submodule named 'h.0.attn.q_proj'", e.Message);
        Assert.Contains("h.1.mlp.c_fc", e.Message);
        var wrongType = Assert.Throws<ArgumentException>(() => model.GetSubmodule("h.0"));
        Assert.Contains("not a Tensor → Tensor module", wrongType.Message);
        var badReplacement = Assert.Throws<ArgumentException>(() => model.ReplaceSubmodule("wte", Identity()));
        Assert.Contains("declared as Embedding", badReplacement.Message);
    }

    /// <summary>Prefix keys/values copied from a cache filled by real tokens.</summary>
    sealed class CachedPrefix(KvCache cache, int length, int? onlyLayer = null) : IPrefixProvider
    {
        public int Length => length;
        public (Tensor key, Tensor value)? ForLayer(int layer, int batchSize) =>
            onlyLayer is { } only && only != layer ? null : cache.Layer(layer)!.Value;
    }

    [Fact]
    public void PrefixOfRealKeysReproducesPrependingThoseTokens()
    {
        // With zero position embeddings, attending to prefix K/V of tokens a must equal running [a; b] for b's positions.
        using var model = TinyModels.Create(ModelKind.Decoder);
        using (no_grad()) model.named_parameters().First(p => p.name == "wpe.weight").parameter.zero_();
        using var a = TinyModels.Ids(2, 3, seed: 11);
        using var b = TinyModels.Ids(2, 5, seed: 12);
        using var full = model.forward(new ModelInput(cat([a, b], 1))).Logits!;
        using var cache = new KvCache(2);
        model.forward(new ModelInput(a), cache).Logits!.Dispose();
        model.Prefix = new CachedPrefix(cache, 3);
        using var withPrefix = model.forward(new ModelInput(b)).Logits!;
        Assert.Equal([2L, 5L, 61L], withPrefix.shape);
        Assert.True(withPrefix.allclose(full[.., 3..], rtol: 0, atol: 1e-5));
        model.Prefix = new CachedPrefix(cache, 3, onlyLayer: 1);   // a prefix on one layer only still changes outputs
        using var oneLayer = model.forward(new ModelInput(b)).Logits!;
        Assert.False(oneLayer.allclose(withPrefix, rtol: 0, atol: 1e-3));
    }

    [Theory]
    [InlineData(ModelKind.Decoder)]
    [InlineData(ModelKind.Encoder)]
    public void PrefixIsVisibleToEveryQueryAndPaddingStaysInvisible(ModelKind kind)
    {
        using var model = TinyModels.Create(kind);
        using var ids = TinyModels.Ids(2, 6, seed: 13);
        using var plain = model.forward(new ModelInput(ids)).Logits!;
        model.Prefix = new RandomPrefix(4, 4, 8, none: true);
        using var nullPrefix = model.forward(new ModelInput(ids)).Logits!;
        Assert.True(TinyModels.Same(plain, nullPrefix));

        model.Prefix = new RandomPrefix(4, 4, 8);
        using var prefixed = model.forward(new ModelInput(ids)).Logits!;
        Assert.False(prefixed[.., 0].allclose(plain[.., 0], rtol: 0, atol: 1e-3));   // even the first causal query sees it
        using var mask = ones(2, 6, int64);
        mask[1, 4..] = 0;
        using var padded = model.forward(new ModelInput(ids, mask)).Logits!;
        using var alone = model.forward(new ModelInput(ids[1..2, ..4])).Logits!;
        Assert.True(padded[1, ..4].allclose(alone[0], rtol: 0, atol: TransformerModelTests.PadTol));
    }

    [Theory]
    [InlineData(ModelKind.Decoder, HeadKind.LanguageModel)]
    [InlineData(ModelKind.Decoder, HeadKind.SequenceClassification)]
    [InlineData(ModelKind.Encoder, HeadKind.MaskedLanguageModel)]
    [InlineData(ModelKind.Encoder, HeadKind.TokenClassification)]
    public void InputTransformEqualsPrependingTokensAndHeadsSeeOnlyRealTokens(ModelKind kind, HeadKind head)
    {
        using var model = TinyModels.Create(kind, head, head is HeadKind.SequenceClassification or HeadKind.TokenClassification ? 3 : 0);
        using var prompt = TinyModels.Ids(1, 3, seed: 14);
        using var ids = TinyModels.Ids(2, 5, seed: 15);
        using var full = model.forward(new ModelInput(cat([prompt.expand(2, -1), ids], 1)));
        model.InputTransform = new PrependTokens(model, prompt);
        using var transformed = model.forward(new ModelInput(ids));
        Assert.Equal([2L, 5L, 32L], transformed.HiddenStates.shape);
        Assert.True(transformed.HiddenStates.allclose(full.HiddenStates[.., 3..], rtol: 0, atol: 1e-6));
        var expected = head == HeadKind.SequenceClassification ? full.Logits! : full.Logits![.., 3..];
        Assert.True(transformed.Logits!.allclose(expected, rtol: 0, atol: 1e-6));
    }
}
