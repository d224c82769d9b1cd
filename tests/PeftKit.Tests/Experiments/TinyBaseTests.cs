using PeftKit.Experiments;
using PeftKit.IO;

namespace PeftKit.Tests.Experiments;

[Collection(ExperimentsCollection.Name)]
public sealed class TinyBaseTests(SmallBases bases)
{
    [Theory]
    [InlineData("tiny-bert")]
    [InlineData("tiny-gpt")]
    public void CreateModelReproducesTheSavedWeightsExactly(string name)
    {
        var b = TinyBase.Load(name, bases.Root);
        Assert.Equal(name, b.Name);
        Assert.Equal(SmallBases.Config(b.Config.Kind), b.Config);
        Assert.Equal(512, b.Tokenizer.VocabSize);
        Assert.Equal(name, b.Figures.Model);
        Assert.Contains("Randomly initialised test base", b.ModelCard);
        var (saved, _) = Safetensors.Load(b.WeightsPath);
        try
        {
            using var model = b.CreateModel();   // pretraining head: every tensor comes from the file
            foreach (var (key, p) in model.named_parameters())
            {
                Assert.True(saved.ContainsKey(key), $"{key} not in the file");
                Assert.True(Bits.Same(p, saved[key]), $"{key} differs from the file");   // bit-identical: a float32 copy
            }
            Assert.Equal(saved.Count, model.named_parameters().Count());
        }
        finally
        {
            foreach (var t in saved.Values) t.Dispose();
        }
    }

    [Fact]
    public void ClassificationHeadIsDrawnFromTheCallersSeedAndTheBodyIsPretrained()
    {
        var b = bases.Decoder;
        manual_seed(5);
        using var m1 = b.CreateModel(HeadKind.SequenceClassification, 2);
        manual_seed(5);
        using var m2 = b.CreateModel(HeadKind.SequenceClassification, 2);
        manual_seed(6);
        using var m3 = b.CreateModel(HeadKind.SequenceClassification, 2);
        var p1 = m1.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var p3 = m3.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.True(Bits.Same(p1["score.weight"], m2.named_parameters().Single(p => p.name == "score.weight").parameter));
        Assert.False(Bits.Same(p1["score.weight"], p3["score.weight"]));
        foreach (var (key, p) in p1.Where(kv => !kv.Key.StartsWith("score.")))
            Assert.True(Bits.Same(p, p3[key]), $"body tensor {key} depends on the seed; it must come from the file");
    }

    [Fact]
    public void MissingBaseNamesKitPretrain()
    {
        var empty = Path.Combine(bases.Root, "no-data-here");
        var e = Assert.Throws<DirectoryNotFoundException>(() => TinyBase.Load("tiny-gpt", empty));
        Assert.Contains("kit pretrain --model tiny-gpt", e.Message);
        var e2 = Assert.Throws<DirectoryNotFoundException>(() => TinyBase.LoadFrom(Path.Combine(empty, "x")));
        Assert.Contains("kit pretrain", e2.Message);
    }

    [Fact]
    public void UnknownNameAndIncompleteFolderSayWhatIsWrong()
    {
        var e = Assert.Throws<ArgumentException>(() => TinyBase.Load("tiny-llama", bases.Root));
        Assert.Contains("tiny-gpt, tiny-bert", e.Message);

        var partial = Path.Combine(bases.Root, "partial");
        Directory.CreateDirectory(partial);
        foreach (var f in Directory.GetFiles(bases.Dir("tiny-gpt")).Where(f => !f.EndsWith("tokenizer.json")))
            File.Copy(f, Path.Combine(partial, Path.GetFileName(f)), overwrite: true);
        var e2 = Assert.Throws<FileNotFoundException>(() => TinyBase.LoadFrom(partial));
        Assert.Contains("no tokenizer.json", e2.Message);
        Assert.Contains("kit pretrain", e2.Message);
    }
}
