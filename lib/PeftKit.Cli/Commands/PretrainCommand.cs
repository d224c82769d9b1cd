using System.CommandLine;
using PeftKit.Data;
using PeftKit.Pretraining;
using PeftKit.Setup;
using PeftKit.Training;

namespace PeftKit.Cli.Commands;

/// <summary>`kit pretrain`: train a tiny base (tiny-gpt next-token, tiny-bert masked LM) and write its model folder.</summary>
internal static class PretrainCommand
{
    internal static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Base to train: tiny-gpt (decoder) or tiny-bert (encoder).", Required = true };
        model.AcceptOnlyFromAmong([.. PretrainRequest.ModelNames]);
        var profile = new Option<string>("--profile") { Description = "quick (seconds, temp folder; for tests) or full (the committed bases).", DefaultValueFactory = _ => "full" };
        profile.AcceptOnlyFromAmong([.. PeftKit.Setup.Profile.Names]);
        var output = new Option<string?>("--out") { Description = "Output folder (default: data/models/<model> for full, a new temp folder for quick)." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps (default: the profile's)." };
        var seed = new Option<int>("--seed") { Description = "Seed of split, initialisation, batches, masking and dropout.", DefaultValueFactory = _ => 42 };
        var maskRate = new Option<double?>("--mask-rate") { Description = "tiny-bert: share of tokens the masked-LM objective selects (default: the profile's)." };
        var dropout = new Option<float?>("--dropout") { Description = "Dropout while pretraining (default: the profile's; config.json keeps the preset's for fine-tuning)." };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Peak AdamW learning rate (default: the profile's)." };
        var warmup = new Option<int?>("--warmup") { Description = "Linear warmup steps (default: the profile's)." };
        var preLayerNorm = new Option<bool>("--pre-ln") { Description = "tiny-bert: LayerNorm before each sublayer and after the last layer, instead of BERT's post-LN." };
        var command = new Command("pretrain", "Pretrain a tiny base model on the kit's pretraining corpus and write config, weights, tokenizer, history and a model card." + ExitCode.Describe("pretraining failed (e.g. a data file is missing or corrupt)"))
        {
            model, profile, output, steps, seed, maskRate, dropout, learningRate, warmup, preLayerNorm,
        };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(profile)!, parse.GetValue(output), parse.GetValue(steps), parse.GetValue(seed),
            parse.GetValue(maskRate), parse.GetValue(dropout), parse.GetValue(learningRate), parse.GetValue(warmup), parse.GetValue(preLayerNorm), "kit " + string.Join(' ', parse.Tokens.Select(t => t.Value.Contains(' ') ? $"\"{t.Value}\"" : t.Value))));
        return command;
    }

    static int Run(string modelName, string profileName, string? output, int? steps, int seed, double? maskRate, float? dropout,
        double? learningRate, int? warmup, bool preLayerNorm, string commandLine)
    {
        if (preLayerNorm && modelName != "tiny-bert")
        {
            Console.Error.WriteLine($"--pre-ln applies to tiny-bert; {modelName} (GPT-2 layout) normalises before each sublayer already.");
            return ExitCode.BadArguments;
        }
        if (learningRate is not null and (<= 0 or >= 1))
        {
            Console.Error.WriteLine($"--learning-rate must be between 0 and 1, e.g. 1e-3 (got {learningRate}).");
            return ExitCode.BadArguments;
        }
        if (warmup is < 0)
        {
            Console.Error.WriteLine($"--warmup must be 0 or more (got {warmup}).");
            return ExitCode.BadArguments;
        }
        if (steps is < 1)
        {
            Console.Error.WriteLine($"--steps must be at least 1 (got {steps}).");
            return ExitCode.BadArguments;
        }
        if (maskRate is not null and (<= 0 or >= 1))
        {
            Console.Error.WriteLine($"--mask-rate must be between 0 and 1, e.g. 0.15 or 0.4 (got {maskRate}).");
            return ExitCode.BadArguments;
        }
        if (dropout is not null and (< 0 or >= 1))
        {
            Console.Error.WriteLine($"--dropout must be in [0, 1), 0 to disable it (got {dropout}).");
            return ExitCode.BadArguments;
        }
        var profile = PretrainProfile.Named(profileName);
        string outDir;
        try
        {
            var committed = Path.Combine(DataRoot.Locate(), "models");
            outDir = Path.GetFullPath(output ?? (profile == PretrainProfile.Quick
                ? Path.Combine(Path.GetTempPath(), $"peftkit-pretrain-{modelName}-{Guid.NewGuid():N}")
                : Path.Combine(committed, modelName)));
            if (profile == PretrainProfile.Quick && outDir.StartsWith(Path.GetFullPath(committed) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"The quick profile never writes into the committed models ({committed}); pass another --out or use --profile full.");
                return ExitCode.BadArguments;
            }
        }
        catch (DirectoryNotFoundException e)
        {
            Console.Error.WriteLine($"{e.Message}\nOr pass --out FOLDER.");
            return ExitCode.BadArguments;
        }

        KitTorch.Setup(seed);
        var request = new PretrainRequest
        {
            ModelName = modelName, Profile = profile, OutputDirectory = outDir, Seed = seed, Steps = steps, MaskRate = maskRate, Dropout = dropout,
            LearningRate = learningRate, WarmupSteps = warmup, PreLayerNorm = preLayerNorm, Command = commandLine,
        };
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        try
        {
            using var result = Pretrainer.Run(request, new ConsoleLines(), new ConsoleProgress(), cancellationToken: cancel.Token);
            var f = result.Figures;
            Console.WriteLine(f.ValidationPerplexity is double ppl
                ? $"validation perplexity {ppl:F2} vs unigram baseline {f.UnigramPerplexity:F2} (loss {f.ValidationLoss:F4}, {f.ValidationBitsPerByte:F4} bits per byte)"
                : $"validation MLM accuracy {f.MlmAccuracy:P2} vs most-frequent-token baseline {f.MajorityAccuracy:P2} (loss {f.ValidationLoss:F4}, {f.ValidationBitsPerByte:F4} bits per masked byte)");
            Console.WriteLine($"wrote {result.OutputDirectory} in {f.WallSeconds:F0} s");
            return ExitCode.Ok;
        }
        catch (Exception e) when (e is DataFileException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"kit pretrain failed: {e.Message}");
            return ExitCode.Failed;
        }
    }

    /// <summary>Writes stage messages synchronously (Progress&lt;T&gt; would post them to the thread pool, out of order).</summary>
    sealed class ConsoleLines : IProgress<string>
    {
        public void Report(string value) => Console.WriteLine($"  {value}");
    }
}
