using System.Text.Json.Nodes;
using PeftKit.IO;
using PeftKit.Methods.IA3;
using PeftKit.Methods.Lora;
using PeftKit.Methods.PrefixTuning;
using PeftKit.Methods.PromptTuning;
using PeftKit.Methods.PTuning;
using PeftKit.Methods.PTuningV2;
using PeftKit.Tests.Methods;
using static TorchSharp.torch.nn;

namespace PeftKit.Tests.PeftCore;

/// <summary>Target matching, the report, error messages, several adapters, and the reference library's file format.</summary>
public sealed class PeftCoreTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "peftkit-core-" + Guid.NewGuid().ToString("N"));

    public PeftCoreTests() => KitTorch.Setup();

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    static MethodRow Row(ModelKind kind, HeadKind head = HeadKind.LanguageModel, int labels = 0) =>
        new("t", kind, kind == ModelKind.Encoder && head == HeadKind.LanguageModel ? HeadKind.MaskedLanguageModel : head, labels, () => new LoraConfig(new[] { "c_attn" }), false, false, _ => 0);

    static Tensor Logits(Module<ModelInput, ModelOutput> m, Tensor ids)
    {
        using var _ = no_grad();
        using var o = m.call(new ModelInput(ids));
        return o.Logits!.clone();
    }

    [Fact]
    public void ListEntriesMatchFullNamesAndDottedSuffixesOnly()
    {
        string[] names = ["h.0.attn.c_attn", "h.0.attn.c_proj", "h.0.mlp.c_proj", "h.1.attn.c_attn"];
        Assert.Equal(["h.0.attn.c_attn", "h.1.attn.c_attn"], TargetModules.Of("c_attn").Resolve(names, "LoRA"));
        Assert.Equal(["h.0.mlp.c_proj"], TargetModules.Of("mlp.c_proj").Resolve(names, "LoRA"));
        Assert.Equal(["h.0.attn.c_proj"], TargetModules.Of("h.0.attn.c_proj").Resolve(names, "LoRA"));
        Assert.False(TargetModules.Of("attn").Matches("h.0.attn.c_attn"));      // a segment in the middle is not a suffix
        Assert.False(TargetModules.Of("attn").Matches("h.0.attn.xc_attn"));
        Assert.True(TargetModules.Regex(@"h\.1\..*").Matches("h.1.attn.c_attn"));
        Assert.False(TargetModules.Regex(@"c_attn").Matches("h.1.attn.c_attn"));  // full match, not search
    }

    [Fact]
    public void NoMatchNamesTheRequestAndListsCandidates()
    {
        var model = Row(ModelKind.Decoder).CreateBase();
        var e = Assert.Throws<ArgumentException>(() => Peft.Apply(model, new LoraConfig(new[] { "c_atn" })));
        Assert.Contains("target modules [c_atn] matched no module", e.Message);
        Assert.NotNull(Peft.Apply(model, new LoraConfig(new[] { "c_attn" })));   // the refused Apply left the model free to wrap again
        Assert.Contains("h.0.attn.c_attn", e.Message);
        Assert.Contains("Short names you can use: c_attn, c_proj, c_fc", e.Message);
        var partial = Assert.Throws<ArgumentException>(() => Peft.Apply(Row(ModelKind.Encoder).CreateBase(), new LoraConfig(new[] { "query", "valu" })));
        Assert.Contains("'valu'", partial.Message);
        var regex = Assert.Throws<ArgumentException>(() => Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new LoraConfig(@"c_attn")));
        Assert.Contains("regex 'c_attn' matched no module", regex.Message);
    }

    [Fact]
    public void ReportLineHasTheReferenceFormat()
    {
        var r = new ParameterReport(294_912, 124_734_720, []);
        Assert.Equal("trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364", r.ToString());
        var peft = Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new LoraConfig(new[] { "c_attn" }, rank: 2));
        var report = peft.Report();
        var html = report.ToHtml();
        Assert.Contains("base_model.h.0.attn.c_attn.lora_A.default", html);
        Assert.Contains("<table>", html);
        Assert.Equal(2 * 2 * (32 + 96), report.Rows.Where(x => x.Module.Contains("lora_")).Sum(x => x.Trainable));
    }

    [Fact]
    public void ConfigErrorsSayWhatToChange()
    {
        Assert.Contains("rank r must be at least 1", Assert.Throws<ArgumentOutOfRangeException>(() => new LoraConfig(new[] { "c_attn" }, rank: 0)).Message);
        Assert.Contains("dropout must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => new LoraConfig(new[] { "c_attn" }, dropout: 1)).Message);
        Assert.Contains("at least 1 virtual token", Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixTuningConfig(0)).Message);
        Assert.Contains("distinct non-negative", Assert.Throws<ArgumentException>(() => new PTuningV2Config(layers: [1, 1])).Message);
    }

    [Fact]
    public void UnsupportedCombinationsAreRefusedClearly()
    {
        var lm = Row(ModelKind.Encoder).CreateBase();
        var e = Assert.Throws<NotSupportedException>(() => Peft.Apply(lm, new PTuningV2Config()));
        Assert.Contains("Unsupported combination: P-Tuning v2 trains a linear head", e.Message);

        var peft = Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new LoraConfig(new[] { "c_attn" }));
        var mix = Assert.Throws<NotSupportedException>(() => peft.AddAdapter("p", new PrefixTuningConfig(4)));
        Assert.Contains("Unsupported combination: the model holds LORA adapter 'default'", mix.Message);
        Assert.Contains("already has PEFT adapters", Assert.Throws<InvalidOperationException>(() => Peft.Apply(peft.Base, new IA3Config())).Message);
        Assert.Contains("cannot be merged", Assert.Throws<NotSupportedException>(() => Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new PromptTuningConfig(3)).Merge()).Message);
    }

    [Fact]
    public void LoadingAnAdapterOfTheWrongShapeNamesTheTensorAndBothShapes()
    {
        var peft = Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new LoraConfig(new[] { "c_attn" }, rank: 4));
        peft.SaveAdapter(_dir);
        var path = Path.Combine(_dir, AdapterFileNames.Config);
        var o = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        o["r"] = 2;
        File.WriteAllText(path, o.ToJsonString());
        var fresh = Row(ModelKind.Decoder).CreateBase();
        var e = Assert.Throws<InvalidDataException>(() => Peft.Load(fresh, _dir));
        Assert.Contains("'base_model.model.h.0.attn.c_attn.lora_A.weight'", e.Message);
        Assert.Contains("has shape [4, 32] but this model expects [2, 32]", e.Message);
        Assert.DoesNotContain(fresh.named_modules(), m => m.module is LoraLinear);   // the half-loaded adapter is gone
        Assert.NotNull(Peft.Apply(fresh, new LoraConfig(new[] { "c_attn" }, rank: 2)));   // and the model is free to wrap again
    }

    [Fact]
    public void SeveralNamedAdaptersOneActive()
    {
        var model = Row(ModelKind.Decoder).CreateBase();
        var ids = MethodRow.Tiny(ModelKind.Decoder) is var _ ? randint(1, 59, [2, 6], dtype: int64) : null!;
        var baseOut = Logits(model, ids);
        var peft = Peft.Apply(model, new LoraConfig(new[] { "c_attn" }, rank: 2), "a");
        peft.AddAdapter("b", new LoraConfig(new[] { "c_attn", "c_fc" }, rank: 3));
        Assert.Equal("a", peft.ActiveAdapter);
        Assert.All(peft.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_A.a.", p.name.Replace("lora_B", "lora_A")));
        using (no_grad())
            foreach (var (n, p) in peft.named_parameters()) if (n.Contains("lora_B")) p.normal_(0, 0.1);
        var outA = Logits(peft, ids);
        peft.SetActiveAdapter("b");
        Assert.Equal(3L * (2 * (32 + 96) + 2 * (32 + 64)), peft.Report().Trainable);
        var outB = Logits(peft, ids);
        Assert.True((outA - outB).abs().max().item<float>() > 1e-3);
        peft.SetActiveAdapter("a");
        Assert.True(outA.eq(Logits(peft, ids)).all().item<bool>());
        peft.DeleteAdapter("a");
        Assert.Equal("b", peft.ActiveAdapter);
        Assert.True(outB.eq(Logits(peft, ids)).all().item<bool>());
        peft.DeleteAdapter("b");
        Assert.DoesNotContain(peft.Base.named_modules(), m => m.module is LoraLinear);
        Assert.True(baseOut.eq(Logits(peft, ids)).all().item<bool>());
    }

    [Fact]
    public void LoraMatchesItsEquationOnAConv1D()
    {
        manual_seed(5);
        var conv = new Conv1D(8, 12);
        var lora = new LoraLinear(conv);
        lora.AddAdapter("x", new LoraConfig(new[] { "c" }, rank: 2, alpha: 6));
        var names = lora.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad()) names["lora_B.x.weight"].normal_();
        lora.SetEnabled("x", true);
        var x = randn(3, 8);
        var a = names["lora_A.x.weight"];   // (r, in)
        var b = names["lora_B.x.weight"];   // (out, r)
        var want = x.matmul(conv.Weight) + conv.Bias + x.matmul(a.t()).matmul(b.t()) * 3.0;   // α/r = 6/2
        Assert.True((lora.call(x) - want).abs().max().item<float>() < 1e-5);
        // Kaiming-uniform with a = √5 is U(±1/√in): every entry within the bound.
        Assert.True(a.abs().max().item<float>() <= 1 / Math.Sqrt(8));
    }

    [Fact]
    public void LoraFileUsesTheReferenceKeysAndConfigFields()
    {
        var model = Row(ModelKind.Decoder).CreateBase();
        var peft = Peft.Apply(model, new LoraConfig(new[] { "c_attn" }, rank: 4, alpha: 16, dropout: 0.05, useRsLora: true));
        peft.SaveAdapter(_dir);
        var (entries, meta) = Safetensors.ReadHeader(Path.Combine(_dir, AdapterFileNames.Weights));
        Assert.Equal("pt", meta["format"]);
        var shapes = entries.ToDictionary(e => e.Name, e => e.Shape);
        Assert.Equal(4, shapes.Count);
        Assert.Equal([4L, 32], shapes["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"]);
        Assert.Equal([96L, 4], shapes["base_model.model.transformer.h.1.attn.c_attn.lora_B.weight"]);
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, AdapterFileNames.Config)))!.AsObject();
        Assert.Equal("LORA", o["peft_type"]!.GetValue<string>());
        Assert.Equal("CAUSAL_LM", o["task_type"]!.GetValue<string>());
        Assert.Equal(4, o["r"]!.GetValue<int>());
        Assert.Equal(16.0, o["lora_alpha"]!.GetValue<double>());
        Assert.Equal(0.05, o["lora_dropout"]!.GetValue<double>());
        Assert.Equal(["c_attn"], o["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True(o["use_rslora"]!.GetValue<bool>());
        var back = (LoraConfig)PeftConfig.FromJson(File.ReadAllText(Path.Combine(_dir, AdapterFileNames.Config)));
        Assert.Equal((LoraConfig)peft.ConfigOf(), back);
        Assert.Equal(16 / Math.Sqrt(4), back.Scaling);
    }

    [Fact]
    public void AdapterFilesWithoutTheBodyPrefixLoadToo()
    {
        var row = Row(ModelKind.Decoder);
        var peft = Peft.Apply(row.CreateBase(), new LoraConfig(new[] { "c_attn" }, rank: 2));
        using (no_grad()) foreach (var (n, p) in peft.named_parameters()) if (n.Contains("lora_B")) p.normal_();
        peft.SaveAdapter(_dir);
        var path = Path.Combine(_dir, AdapterFileNames.Weights);
        var (tensors, _) = Safetensors.Load(path);
        // A GPT2Model-style file (no "transformer." segment), as saved from a headless model.
        Safetensors.Save(path, tensors.Select(kv => KeyValuePair.Create(kv.Key.Replace("model.transformer.", "model."), kv.Value)));
        var ids = randint(1, 59, [2, 5], dtype: int64);
        var a = Logits(peft, ids);
        var b = Logits(Peft.Load(row.CreateBase(), _dir), ids);
        Assert.True(a.eq(b).all().item<bool>(), $"max diff {(a - b).abs().max().item<float>()}");
    }

    [Fact]
    public void PromptMethodsSavePromptEmbeddingsOnly()
    {
        var c = MethodRow.Tiny(ModelKind.Decoder);
        var peft = Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new PrefixTuningConfig(numVirtualTokens: 5, encoderHiddenSize: 16));
        peft.SaveAdapter(_dir);
        var entries = Safetensors.ReadHeader(Path.Combine(_dir, AdapterFileNames.Weights)).entries;
        var single = Assert.Single(entries);
        Assert.Equal("prompt_embeddings", single.Name);
        Assert.Equal([5L, 2L * c.NumLayers * c.HiddenSize], single.Shape);   // n × L·2·d, the MLP's output

        var prompt = Peft.Apply(Row(ModelKind.Decoder).CreateBase(), new PromptTuningConfig(6, PromptInit.Text([7, 8])));
        prompt.SaveAdapter(_dir);
        Assert.Equal([6L, c.HiddenSize], Assert.Single(Safetensors.ReadHeader(Path.Combine(_dir, AdapterFileNames.Weights)).entries).Shape);
        var o = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, AdapterFileNames.Config)))!.AsObject();
        Assert.Equal("PROMPT_TUNING", o["peft_type"]!.GetValue<string>());
        Assert.Equal(6, o["num_virtual_tokens"]!.GetValue<int>());
        Assert.Equal("TEXT", o["prompt_tuning_init"]!.GetValue<string>());
        // Text init repeats the text's tokens to n: rows are the embeddings of 7, 8, 7, 8, 7, 8.
        var words = prompt.Base.WordEmbeddings.weight!;
        var stored = prompt.named_parameters().Single(p => p.name.StartsWith("prompt_encoder.")).parameter;
        Assert.True(stored[4].eq(words[7]).all().item<bool>() && stored[5].eq(words[8]).all().item<bool>());
    }

    [Fact]
    public void VerbalizerReadsLabelWordLogitsAtTheMask()
    {
        var logits = arange(2 * 4 * 10, dtype: float32).view(2, 4, 10);
        var ids = tensor(new long[] { 1, 9, 2, 3, 9, 1, 1, 1 }, int64).view(2, 4);
        var v = new Verbalizer([5, 7]);
        var got = v.Logits(logits, ids, maskTokenId: 9);
        Assert.Equal(new float[] { 15, 17, 45, 47 }, got.data<float>().ToArray());   // row 0 mask at t=1, row 1 at t=0
        Assert.Contains("exactly one [MASK]", Assert.Throws<ArgumentException>(() => v.Logits(logits, ids.fill_(1), 9)).Message);
    }

    [Fact]
    public void PTuningPlacesPseudoTokensByTheTemplate()
    {
        var ids = MethodRow.Template.Fill([10, 11]);
        Assert.Equal([59L, 59, 10, 11, 59, 5, 60], ids);
        var peft = Peft.Apply(Row(ModelKind.Encoder).CreateBase(), new PTuningConfig(MethodRow.Template, PromptEncoderKind.None));
        var e = Assert.Throws<ArgumentException>(() => peft.call(new ModelInput(tensor(new long[] { 59, 10, 60 }, int64).view(1, 3))));
        Assert.Contains("exactly 3 pseudo tokens", e.Message);
    }
}
