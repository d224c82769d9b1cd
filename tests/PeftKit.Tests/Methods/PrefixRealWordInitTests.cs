using System.Text.Json.Nodes;
using PeftKit.Methods.PrefixTuning;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.Methods;

/// <summary>Prefix tuning's real-word initialisation (Li &amp; Liang §7.2): the prefix starts as the frozen model's own keys and values.</summary>
public sealed class PrefixRealWordInitTests
{
    static readonly int[] Words = [5, 17, 42];
    static readonly MethodRow Row = new("prefix-init", ModelKind.Decoder, HeadKind.LanguageModel, 0, () => new PrefixTuningConfig(3, null), false, false, _ => 0);

    static Tensor PrefixOf(PeftModel peft) => peft.named_parameters().Single(p => p.name.EndsWith(".prefix")).parameter.detach().clone();

    [Fact]
    public void LayerZeroKeysAndValuesAreTheProjectionOfTheWordsComputedByHand()
    {
        using var model = Row.CreateBase();
        model.train();                                                           // dropout on: the init must switch it off
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter.detach().clone());
        using var peft = Peft.Apply(model, new PrefixTuningConfig(3, null) { InitTokenIds = Words });
        using var prefix = PrefixOf(peft);                                       // (n, L·2·d) = (3, 2·2·32)

        // GPT-2 layer 0 by hand: qkv = ln_1(wte[x] + wpe[0..n−1]) · W + b, W (d, 3d); k and v are the 2nd and 3rd thirds.
        using var ids = tensor(Words.Select(t => (long)t).ToArray(), int64);
        using var h = functional.layer_norm(p["wte.weight"][ids] + p["wpe.weight"][arange(3)], [32], p["h.0.ln_1.weight"], p["h.0.ln_1.bias"], 1e-5);
        using var qkv = h.matmul(p["h.0.attn.c_attn.weight"]) + p["h.0.attn.c_attn.bias"];   // (n, 3d)
        // float32 sums of 32 products of O(1) and O(0.02) terms: differences from the fused op's order stay below 1e-6.
        Assert.True(prefix[.., ..32].allclose(qkv[.., 32..64], rtol: 0, atol: 1e-6), "layer 0 key");
        Assert.True(prefix[.., 32..64].allclose(qkv[.., 64..], rtol: 0, atol: 1e-6), "layer 0 value");
        Assert.True(model.training, "the model's training mode is restored");
    }

    [Fact]
    public void EveryLayerMatchesTheKeyValueCacheOfAPlainForwardPass()
    {
        using var model = Row.CreateBase();
        using var cache = new KvCache(2);
        using (no_grad())
        using (var ids = tensor(Words.Select(t => (long)t).ToArray(), int64).unsqueeze(0))
        using (model.forward(new ModelInput(ids), cache)) { }
        using var peft = Peft.Apply(model, new PrefixTuningConfig(3, null) { InitTokenIds = Words });
        using var prefix = PrefixOf(peft).view(3, 4, 4, 8);                     // (n, 2L, nh, hs)
        for (int j = 0; j < 2; j++)
        {
            var (k, v) = cache.Layer(j)!.Value;                                  // (1, nh, n, hs)
            Assert.True(prefix[.., 2 * j].eq(k[0].permute(1, 0, 2)).all().item<bool>(), $"layer {j} key");
            Assert.True(prefix[.., 2 * j + 1].eq(v[0].permute(1, 0, 2)).all().item<bool>(), $"layer {j} value");
        }
    }

    [Fact]
    public void AnotherAdaptersPrefixDoesNotColourTheActivations()
    {
        using var alone = Peft.Apply(Row.CreateBase(), new PrefixTuningConfig(3, null) { InitTokenIds = Words });
        using var expected = PrefixOf(alone);
        using var both = Peft.Apply(Row.CreateBase(), new PrefixTuningConfig(2, null));
        both.AddAdapter("words", new PrefixTuningConfig(3, null) { InitTokenIds = Words });
        using var second = both.named_parameters().Single(p => p.name.Contains(".words.")).parameter.detach().clone();
        Assert.True(second.eq(expected).all().item<bool>());
    }

    [Fact]
    public void BadInitialisationsAreRefusedWithTheFix()
    {
        using var model = Row.CreateBase();
        Assert.Contains("set EncoderHiddenSize to null", Assert.Throws<ArgumentException>(() => Peft.Apply(model, new PrefixTuningConfig(3, 16) { InitTokenIds = Words })).Message);
        Assert.Contains("one id per virtual token", Assert.Throws<ArgumentException>(() => Peft.Apply(model, new PrefixTuningConfig(4, null) { InitTokenIds = Words })).Message);
        Assert.Contains("outside the model's vocabulary [0, 61)", Assert.Throws<ArgumentException>(() => Peft.Apply(model, new PrefixTuningConfig(1, null) { InitTokenIds = [61] })).Message);
        Assert.Contains("at least one token id", Assert.Throws<ArgumentException>(() => new PrefixTuningConfig(1, null) { InitTokenIds = [] }).Message);
        using var peft = Peft.Apply(model, new PrefixTuningConfig(3, null) { InitTokenIds = Words });   // a refused config leaves the model usable
        Assert.Single(peft.named_parameters(), p => p.parameter.requires_grad);
    }

    [Fact]
    public void TheTokenIdsRoundTripThroughTheConfigFile()
    {
        var config = new PrefixTuningConfig(3, null) { InitTokenIds = Words };
        var json = new JsonObject();
        config.WriteJson(json);
        var back = PrefixTuningConfig.Read(json);
        Assert.Equal(Words, back.InitTokenIds);
        Assert.Null(PrefixTuningConfig.Read(JsonNode.Parse("""{"num_virtual_tokens": 3}""")!.AsObject()).InitTokenIds);
        var plain = new JsonObject();
        new PrefixTuningConfig(3, null).WriteJson(plain);
        Assert.False(plain.ContainsKey("kit_init_token_ids"), "a random prefix's adapter_config.json keeps the reference library's fields only");
    }
}
