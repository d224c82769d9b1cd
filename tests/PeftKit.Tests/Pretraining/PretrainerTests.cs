using PeftKit.Data;
using PeftKit.Pretraining;
using PeftKit.Text;

namespace PeftKit.Tests.Pretraining;

/// <summary>The quick profile end to end on the committed corpus: files written, reload reproduces logits, clear data errors.</summary>
public sealed class PretrainerTests : IDisposable
{
    readonly string _root = Path.Combine(Path.GetTempPath(), "peftkit-pretrain-" + Guid.NewGuid().ToString("N"));

    public PretrainerTests() => KitTorch.Setup();

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    PretrainRequest Quick(string model) => new()
    {
        ModelName = model, Profile = PretrainProfile.Quick, OutputDirectory = Path.Combine(_root, model), Seed = 11,
        Command = $"kit pretrain --model {model} --profile quick",
    };

    [Theory]
    [InlineData("tiny-gpt")]
    [InlineData("tiny-bert")]
    public void QuickRunWritesEveryFileAndTheReloadedModelReproducesTheLogits(string name)
    {
        var lines = new List<string>();
        using var result = Pretrainer.Run(Quick(name), new SyncProgress<string>(lines.Add));
        var dir = result.OutputDirectory;
        foreach (var file in PretrainResult.FileNames) Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing in {dir}");
        Assert.StartsWith(Path.GetFullPath(_root), dir);   // the quick run wrote where it was told, not into data/models

        var f = result.Figures;
        Assert.Equal(PretrainProfile.Quick.Steps, f.Steps);
        Assert.Equal(PretrainProfile.Quick.Steps, result.History.Steps.Count);
        Assert.True(f.ValidationLoss is > 0 and < 20, $"validation loss {f.ValidationLoss}");
        if (name == "tiny-gpt")
        {
            Assert.Equal(Math.Exp(f.ValidationLoss), f.ValidationPerplexity!.Value, 1e-9 * f.ValidationPerplexity.Value);
            Assert.True(f.UnigramPerplexity > 1);
        }
        else Assert.InRange(f.MajorityAccuracy!.Value, 0.0, 1.0);

        var card = File.ReadAllText(Path.Combine(dir, "MODEL_CARD.md"));
        Assert.Contains($"kit pretrain --model {name} --profile quick", card);
        Assert.Contains(name == "tiny-gpt" ? "| perplexity |" : "| MLM accuracy |", card);
        Assert.Contains($"{f.Steps} steps of", card);

        // Reload from the written files only and compare logits with the trained model: F32 weights, same ops → bit-exact.
        var config = TransformerConfig.FromJson(File.ReadAllText(Path.Combine(dir, "config.json")));
        Assert.Equal(result.Model.Config, config);
        using var loaded = new TransformerModel(config);
        loaded.LoadSafetensors(Path.Combine(dir, "model.safetensors"));
        loaded.eval();
        var tokenizer = CompactTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        const string text = "The Congress of the United States shall consider the whale.";
        Assert.Equal(result.Tokenizer.Encode(text), tokenizer.Encode(text));
        using var ids = tensor(tokenizer.Encode(text).Select(i => (long)i).ToArray()).unsqueeze(0);   // (1, T)
        using var a = result.Model.forward(new ModelInput(ids));
        using var b = loaded.forward(new ModelInput(ids));
        Assert.Equal(a.Logits!.shape, b.Logits!.shape);
        Assert.True(a.Logits!.eq(b.Logits!).all().item<bool>(), "the reloaded model's logits differ from the trained model's");

        // Re-scoring the reloaded weights on the run's own validation split reproduces the reported loss: same
        // weights, same windows and masks, same CPU ops in the same order, so the doubles are equal.
        var rescored = Pretrainer.Rescore(loaded, tokenizer, PretrainProfile.Quick, seed: 11);
        Assert.Equal(f.ValidationLoss, rescored["loss"]);
        Assert.Contains(lines, l => l.StartsWith("corpus:"));
    }

    [Fact]
    public void MaskRateAndPretrainingDropoutReachTheRunButNotTheSavedConfiguration()
    {
        var plain = Quick("tiny-bert");
        using var a = Pretrainer.Run(plain);
        using var b = Pretrainer.Run(plain with { OutputDirectory = Path.Combine(_root, "rate"), MaskRate = 0.5 });
        using var c = Pretrainer.Run(plain with { OutputDirectory = Path.Combine(_root, "nodrop"), Dropout = 0f });
        // Same seed, same batches: only the setting differs, so a different first loss proves it reached the training step.
        Assert.NotEqual(a.History.Steps[0].Loss, b.History.Steps[0].Loss);
        Assert.NotEqual(a.History.Steps[0].Loss, c.History.Steps[0].Loss);
        // Validation always scores BERT's 15% with the same fixed masks, so the rate changes nothing about what is scored.
        Assert.Equal(a.Figures.EvalPositions, b.Figures.EvalPositions);

        // Dropout is a training setting: config.json keeps the preset's (used when the base is fine-tuned), the card says both.
        var saved = TransformerConfig.FromJson(File.ReadAllText(Path.Combine(c.OutputDirectory, "config.json")));
        Assert.Equal(TransformerConfig.TinyEncoder.Dropout, saved.Dropout);
        Assert.Contains($"Dropout 0 while pretraining; config.json keeps {TransformerConfig.TinyEncoder.Dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)} for fine-tuning.",
            File.ReadAllText(Path.Combine(c.OutputDirectory, "MODEL_CARD.md")));
        Assert.Contains("masked-LM (50% of tokens selected;", File.ReadAllText(Path.Combine(b.OutputDirectory, "MODEL_CARD.md")));

        Assert.Contains("MaskRate must be in (0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => plain with { MaskRate = 1.0 }).Message);
        Assert.Contains("Dropout must be in [0, 1)", Assert.Throws<ArgumentOutOfRangeException>(() => plain with { Dropout = -0.1f }).Message);
    }

    [Fact]
    public void MissingCorpusGivesTheDataLayersClearError()
    {
        var empty = Path.Combine(_root, "no-data");
        Directory.CreateDirectory(empty);
        var e = Assert.Throws<DataFileException>(() => Pretrainer.Run(Quick("tiny-gpt") with { DataRoot = empty }));
        Assert.Contains(Path.Combine(empty, "pretrain", "documents.jsonl.gz"), e.Message);
        Assert.Contains("kit data", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_root, "tiny-gpt")), "nothing may be written when the data is missing");
    }

    [Fact]
    public void UnknownModelAndProfileNamesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Quick("tiny-t5"));
        Assert.Contains("use tiny-gpt or tiny-bert", e.Message);
        var p = Assert.Throws<ArgumentException>(() => PretrainProfile.Named("medium"));
        Assert.Contains("Unknown profile \"medium\": use one of \"quick\", \"full\"", p.Message);
    }

    sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
