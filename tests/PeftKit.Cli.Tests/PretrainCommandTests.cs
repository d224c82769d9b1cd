using PeftKit.Data;

namespace PeftKit.Cli.Tests;

/// <summary>`kit pretrain`: the quick profile end to end through the CLI, and the guard that keeps it out of data/models.</summary>
public sealed class PretrainCommandTests
{
    [Fact]
    public void QuickProfileWritesAModelFolderAndReportsTheBaseline()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kit-pretrain-{Guid.NewGuid():N}");
        try
        {
            var (exit, stdout, stderr) = Kit.Run("pretrain", "--model", "tiny-bert", "--profile", "quick", "--out", dir);
            Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("validation MLM accuracy", stdout);
            Assert.Contains("vs most-frequent-token baseline", stdout);
            Assert.Contains("bits per masked byte", stdout);
            foreach (var file in new[] { "config.json", "model.safetensors", "tokenizer.json", "history.json", "results.json", "MODEL_CARD.md" })
                Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} missing");
            Assert.Contains("kit pretrain --model tiny-bert --profile quick --out", File.ReadAllText(Path.Combine(dir, "MODEL_CARD.md")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void QuickProfileNeverWritesIntoTheCommittedModels()
    {
        var committed = Path.Combine(DataRoot.Locate(), "models", "tiny-gpt-quick-guard");
        var (exit, _, stderr) = Kit.Run("pretrain", "--model", "tiny-gpt", "--profile", "quick", "--out", committed);
        Assert.Equal(2, exit);
        Assert.Contains("The quick profile never writes into the committed models", stderr);
        Assert.False(Directory.Exists(committed));
        foreach (var (option, value, message) in new[]
        {
            ("--steps", "0", "--steps must be at least 1 (got 0)."),
            ("--mask-rate", "1.5", "--mask-rate must be between 0 and 1, e.g. 0.15 or 0.4 (got 1.5)."),
            ("--dropout", "1", "--dropout must be in [0, 1), 0 to disable it (got 1)."),
            ("--learning-rate", "0", "--learning-rate must be between 0 and 1, e.g. 1e-3 (got 0)."),
            ("--warmup", "-1", "--warmup must be 0 or more (got -1)."),
        })
        {
            (exit, _, stderr) = Kit.Run("pretrain", "--model", "tiny-bert", option, value);
            Assert.True(exit == 2, $"{option} {value}: exit {exit}, expected 2 (bad arguments)");
            Assert.Contains(message, stderr);
        }
        (exit, _, stderr) = Kit.Run("pretrain", "--model", "tiny-gpt", "--pre-ln");
        Assert.Equal(2, exit);
        Assert.Contains("--pre-ln applies to tiny-bert; tiny-gpt (GPT-2 layout) normalises before each sublayer already.", stderr);
    }
}
