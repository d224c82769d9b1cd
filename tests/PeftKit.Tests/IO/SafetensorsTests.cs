using System.Buffers.Binary;
using System.Text;
using PeftKit.IO;
using PeftKit.Tests.Models;

namespace PeftKit.Tests.IO;

public sealed class SafetensorsTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("peftkit-st-").FullName;

    public SafetensorsTests() => KitTorch.Setup();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Builds a file byte by byte from the format description, independent of the writer under test.</summary>
    static byte[] HandMade(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    [Fact]
    public void ReadsAHandMadeFileWithF32I64AndBF16()
    {
        var data = new List<byte>();
        data.AddRange(BitConverter.GetBytes(1.5f)); data.AddRange(BitConverter.GetBytes(-2f));   // F32 [2]
        data.AddRange(BitConverter.GetBytes(7L));                                                 // I64 [1, 1]
        data.AddRange([0x80, 0x3F, 0x40, 0xC0]);                                                 // BF16 1.0, -3.0
        File.WriteAllBytes(PathOf("hand.safetensors"), HandMade(
            """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"ids":{"dtype":"I64","shape":[1,1],"data_offsets":[8,16]},"h":{"dtype":"BF16","shape":[2],"data_offsets":[16,20]}}""",
            [.. data]));
        var (tensors, metadata) = Safetensors.Load(PathOf("hand.safetensors"));
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(new[] { 1.5f, -2f }, tensors["a"].data<float>().ToArray());
        Assert.Equal([1L, 1L], tensors["ids"].shape);
        Assert.Equal(7L, tensors["ids"].item<long>());
        Assert.Equal(ScalarType.BFloat16, tensors["h"].dtype);
        Assert.Equal(new[] { 1f, -3f }, tensors["h"].to(float32).data<float>().ToArray());
    }

    [Theory]
    [InlineData(ScalarType.Float16, "F16")]
    [InlineData(ScalarType.BFloat16, "BF16")]
    [InlineData(ScalarType.Float32, "F32")]
    public void HalfPrecisionRoundTripsExactly(ScalarType type, string name)
    {
        using var x = randn(3, 5) * 10;
        using var ids = arange(6, dtype: int64).view(2, 3);
        Safetensors.Save(PathOf("h.safetensors"), [KeyValuePair.Create("x", x), KeyValuePair.Create("ids", ids)],
            new Dictionary<string, string> { ["note"] = "round trip" }, storeAs: type);
        var (entries, metadata) = Safetensors.ReadHeader(PathOf("h.safetensors"));
        Assert.Equal(name, entries.Single(e => e.Name == "x").DType);
        Assert.Equal("I64", entries.Single(e => e.Name == "ids").DType);   // integer tensors are never converted
        Assert.Equal("round trip", metadata["note"]);
        var (loaded, _) = Safetensors.Load(PathOf("h.safetensors"));
        using var expected = x.to(type);
        Assert.Equal(type, loaded["x"].dtype);
        Assert.True(TinyModels.Same(loaded["x"], expected));
        Assert.True(TinyModels.Same(loaded["ids"], ids));
        Assert.Equal(0UL, BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(PathOf("h.safetensors"))) % 8);   // header padded to 8
    }

    [Theory]
    [InlineData(ModelKind.Decoder, HeadKind.LanguageModel)]
    [InlineData(ModelKind.Encoder, HeadKind.MaskedLanguageModel)]
    [InlineData(ModelKind.Encoder, HeadKind.SequenceClassification)]
    public void SavedModelLoadsIntoAFreshModelWithIdenticalLogits(ModelKind kind, HeadKind head)
    {
        int labels = head == HeadKind.SequenceClassification ? 3 : 0;
        using var source = TinyModels.Create(kind, head, labels, seed: 30);
        source.SaveSafetensors(PathOf("m.safetensors"));
        using var target = new TransformerModel(TinyModels.Of(kind), head, labels);
        target.eval();
        var report = target.LoadSafetensors(PathOf("m.safetensors"));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(source.named_parameters().Count(), report.Loaded.Count);
        using var ids = TinyModels.Ids(2, 7, seed: 31);
        using var a = source.forward(new ModelInput(ids)).Logits!;
        using var b = target.forward(new ModelInput(ids)).Logits!;
        Assert.True(TinyModels.Same(a, b));
    }

    [Fact]
    public void HuggingFaceGpt2KeysWithPrefixTiedHeadAndBuffersLoad()
    {
        using var source = TinyModels.Create(ModelKind.Decoder, seed: 32);
        var state = source.named_parameters().ToDictionary(p => "transformer." + p.name, p => (Tensor)p.parameter);
        state["lm_head.weight"] = state["transformer.wte.weight"];
        using var causal = ones(1, 1, 40, 40).tril();
        state["transformer.h.0.attn.bias"] = causal;
        state["transformer.h.1.attn.bias"] = causal;
        Safetensors.Save(PathOf("gpt2.safetensors"), state, new Dictionary<string, string> { ["format"] = "pt" });
        using var target = new TransformerModel(TinyModels.Decoder);
        target.eval();
        var report = target.LoadSafetensors(PathOf("gpt2.safetensors"));
        Assert.Equal(["lm_head.weight", "transformer.h.0.attn.bias", "transformer.h.1.attn.bias"], report.Skipped.Order());
        using var ids = TinyModels.Ids(1, 6, seed: 33);
        using var a = source.forward(new ModelInput(ids)).Logits!;
        using var b = target.forward(new ModelInput(ids)).Logits!;
        Assert.True(TinyModels.Same(a, b));
    }

    [Fact]
    public void HuggingFaceBertKeysWithPrefixGammaBetaAndNspHeadLoadIntoAClassifier()
    {
        using var source = TinyModels.Create(ModelKind.Encoder, HeadKind.MaskedLanguageModel, seed: 34);
        var state = source.named_parameters().ToDictionary(
            p => (p.name.StartsWith("cls.") ? "" : "bert.") + p.name.Replace("LayerNorm.weight", "LayerNorm.gamma").Replace("LayerNorm.bias", "LayerNorm.beta"),
            p => (Tensor)p.parameter);
        state["cls.predictions.decoder.weight"] = state["bert.embeddings.word_embeddings.weight"];
        using var nspW = randn(2, 32);
        state["cls.seq_relationship.weight"] = nspW;
        using var positions = arange(40, dtype: int64).unsqueeze(0);
        state["bert.embeddings.position_ids"] = positions;
        Safetensors.Save(PathOf("bert.safetensors"), state);

        using var classifier = new TransformerModel(TinyModels.Encoder, HeadKind.SequenceClassification, 2);
        var report = classifier.LoadSafetensors(PathOf("bert.safetensors"));
        Assert.Equal(["classifier.bias", "classifier.weight"], report.NewlyInitialized.Order());
        Assert.Contains("cls.predictions.transform.dense.weight", report.Skipped);   // the MLM head this model lacks
        Assert.Empty(report.Missing);
        var loadedLn = classifier.named_parameters().First(p => p.name == "encoder.layer.1.output.LayerNorm.weight").parameter;
        var sourceLn = source.named_parameters().First(p => p.name == "encoder.layer.1.output.LayerNorm.weight").parameter;
        Assert.True(TinyModels.Same(loadedLn, sourceLn));
    }

    [Fact]
    public void ShapeMismatchNamesTheTensorAndBothShapes()
    {
        using var source = new TransformerModel(TinyModels.Decoder with { VocabSize = 70 });
        source.SaveSafetensors(PathOf("big-vocab.safetensors"));
        using var target = new TransformerModel(TinyModels.Decoder);
        var e = Assert.Throws<SafetensorsException>(() => target.LoadSafetensors(PathOf("big-vocab.safetensors")));
        Assert.Contains("Tensor 'wte.weight'", e.Message);
        Assert.Contains("[70, 32]", e.Message);
        Assert.Contains("[61, 32]", e.Message);
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListedWhenStrict()
    {
        using var source = TinyModels.Create(ModelKind.Decoder);
        var state = source.named_parameters().Where(p => p.name != "ln_f.bias").ToDictionary(p => p.name, p => (Tensor)p.parameter);
        using var extra = zeros(3);
        state["h.0.attn.q_proj.weight"] = extra;
        Safetensors.Save(PathOf("odd.safetensors"), state);
        using var target = new TransformerModel(TinyModels.Decoder);
        var e = Assert.Throws<SafetensorsException>(() => target.LoadSafetensors(PathOf("odd.safetensors")));
        Assert.Contains("missing keys (1): ln_f.bias", e.Message);
        Assert.Contains("unexpected keys (1): h.0.attn.q_proj.weight", e.Message);
        var report = target.LoadSafetensors(PathOf("odd.safetensors"), strict: false);
        Assert.Equal(["ln_f.bias"], report.Missing);
        Assert.Equal(["h.0.attn.q_proj.weight"], report.Unexpected);
    }

    [Fact]
    public void CorruptOrTruncatedFilesGiveClearMessages()
    {
        const string good = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";
        var data = new byte[8];
        void Expect(byte[] bytes, string fragment)
        {
            File.WriteAllBytes(PathOf("bad.safetensors"), bytes);
            var e = Assert.Throws<SafetensorsException>(() => Safetensors.Load(PathOf("bad.safetensors")));
            Assert.Contains(fragment, e.Message);
        }
        Expect([1, 2, 3], "too short");
        Expect(HandMade("{\"a\": [", data), "is not a JSON object");
        Expect(HandMade(good, data)[..^3], "is truncated: the header describes 8 data bytes but only 5");
        Expect(HandMade(good, data)[..12], "declares a 54-byte header");
        Expect(HandMade(good, new byte[12]), "4 bytes after the last tensor");
        Expect(HandMade("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", data), "= 12 bytes but its data_offsets [0, 8] span 8");
        Expect(HandMade("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", data), "dtype 'Q4'");
        Expect(HandMade("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}""", new byte[12]), "leaves a gap");
        Expect(HandMade("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", data), "overlap");
        Expect(HandMade("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", data), "Header entry 'a'");
        Assert.Throws<FileNotFoundException>(() => Safetensors.Load(PathOf("nope.safetensors")));
    }
}
