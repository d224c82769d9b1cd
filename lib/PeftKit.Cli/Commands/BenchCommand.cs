using System.CommandLine;
using PeftKit.Benchmarks;
using PeftKit.Charts;
using PeftKit.Setup;

namespace PeftKit.Cli.Commands;

/// <summary>`kit bench`: every PEFT method and both baselines measured side by side on one model, in one process.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var methods = new Option<string[]>("--methods")
        {
            Description = $"Methods to measure, comma- or space-separated (default: all): {string.Join(", ", BenchMethods.All)}.",
            AllowMultipleArgumentsPerToken = true,
        };
        var model = new Option<string>("--model") { Description = $"Model shape, randomly initialised: {string.Join(", ", BenchMethods.Models)}.", DefaultValueFactory = _ => "tiny-gpt" };
        var steps = new Option<int?>("--steps") { Description = "Measured train steps per method per repeat (default 5; short: 1)." };
        var warmup = new Option<int?>("--warmup") { Description = "Untimed warm-up steps per method per repeat (default 2; short: 1)." };
        var repeat = new Option<int?>("--repeat") { Description = "Round-robin rounds over all methods (default 3; short: 1)." };
        var batch = new Option<int?>("--batch") { Description = "Batch size B (default 8 for tiny models, 2 for the full-size shapes; short: 2)." };
        var seq = new Option<int?>("--seq") { Description = "Sequence length T (default 128 for tiny models, 64 for the full-size shapes; short: 24)." };
        var json = new Option<FileInfo?>("--json") { Description = "Write {\"machine\", \"config\", \"rows\"} JSON here." };
        var markdown = new Option<FileInfo?>("--markdown") { Description = "Write the markdown report (table, method notes, targets) here." };
        var png = new Option<FileInfo?>("--png") { Description = "Also render the cost-versus-full chart to this PNG (needs Debian's chromium)." };
        var shortMode = new Option<bool>("--short") { Description = "CI mode: tiny batch, one round, one step; checks the table, not the speed." };
        var inferIterations = new Option<int?>("--infer-iterations") { Description = "Timed forward passes per method per repeat for the inference columns (default 5; short: 1); raise it on a noisy machine." };
        var noRaw = new Option<bool>("--no-raw") { Description = "Skip the plain-TorchSharp LoRA reference row (lora-raw)." };
        var deterministicCost = new Option<bool>("--deterministic-cost")
        {
            Description = "Also train every method with libtorch's deterministic algorithms off (KitTorch.Setup turns them on), beside the measured run, and report the step-time ratio.",
        };
        var command = new Command("bench", "Measure step time, tokens/s, memory, trainable parameters, optimizer state, adapter size and inference latency of every method." + ExitCode.Describe("torch cannot be used here, or the figure could not be rendered"))
        {
            methods, model, steps, warmup, repeat, batch, seq, inferIterations, json, markdown, png, shortMode, noRaw, deterministicCost,
        };
        command.SetAction(parse =>
        {
            BenchOptions options;
            try
            {
                var list = (parse.GetValue(methods) ?? []).SelectMany(m => m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
                bool isShort = parse.GetValue(shortMode);
                var d = isShort ? BenchOptions.Short(list, parse.GetValue(model)!) : new BenchOptions(list, parse.GetValue(model)!);
                options = new BenchOptions(list, d.Model, parse.GetValue(steps) ?? d.Steps, parse.GetValue(warmup) ?? d.Warmup,
                    parse.GetValue(repeat) ?? d.Repeat, parse.GetValue(batch) ?? d.Batch, parse.GetValue(seq) ?? d.Seq, parse.GetValue(inferIterations) ?? d.InferIterations,
                    rawReference: !parse.GetValue(noRaw), deterministicCost: parse.GetValue(deterministicCost));
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"kit bench: {e.Message}");
                return ExitCode.BadArguments;
            }
            try
            {
                KitTorch.Setup();
            }
            catch (TorchSetupException e)
            {
                Console.Error.WriteLine($"torch: NOT USABLE\n{e.Message}");
                return ExitCode.Failed;
            }
            var commandLine = "kit " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
            var report = BenchRunner.Run(options, new Progress(), commandLine);
            var md = report.ToMarkdown();
            Console.WriteLine(md);
            try
            {
                if (parse.GetValue(json) is { } j) File.WriteAllText(j.FullName, report.ToJson());
                if (parse.GetValue(markdown) is { } m) File.WriteAllText(m.FullName, md);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"kit bench: the report is printed above, but could not be written: {e.Message}");
                return ExitCode.Failed;
            }
            if (parse.GetValue(png) is { } p)
            {
                try
                {
                    ChartImage.SavePng(BenchCharts.CostVersusFull(report), p.FullName, 1100, 560);
                }
                catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"kit bench: the table was written, but not the figure: {e.Message}");
                    return ExitCode.Failed;
                }
            }
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Synchronous progress to stderr (System.Progress would post to the thread pool and reorder lines).</summary>
    sealed class Progress : IProgress<string>
    {
        public void Report(string value) => Console.Error.WriteLine(value);
    }
}
