using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Methods.Baselines;
using PeftKit.Methods.Lora;
using PeftKit.Models;
using PeftKit.Setup;
using static TorchSharp.torch;
using PeftKit.Measurement;
using PeftKit.Reporting;

namespace PeftKit.Benchmarks;

/// <summary>A benchmark result: the machine, the configuration and one row per method, written as JSON
/// (<c>{"machine": {...}, "config": {...}, "rows": [...]}</c>) or as a markdown report.</summary>
public sealed record BenchReport(JsonObject Machine, JsonObject Config, IReadOnlyList<BenchRow> Rows)
{
    static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The row of a method, or null when it was not measured.</summary>
    public BenchRow? Row(string method) => Rows.FirstOrDefault(r => r.Method == method);

    /// <summary>The JSON document. Each row has the documented keys (null where not applicable) plus ratios against full
    /// fine-tuning (<c>*_vs_full</c>, null when full was not measured) and the exact <c>gradient_bytes</c>.</summary>
    public string ToJson()
    {
        var full = Row(FullFineTune.Descriptor.Name);
        var rows = new JsonArray();
        foreach (var r in Rows)
            rows.Add(new JsonObject
            {
                ["method"] = r.Method,
                ["model"] = r.Model,
                ["step_ms_median"] = r.StepMsMedian,
                ["tokens_per_s"] = r.TokensPerS,
                ["peak_mem_bytes"] = r.PeakMemBytes,
                ["trainable_params"] = r.TrainableParams,
                ["optimizer_state_bytes"] = r.OptimizerStateBytes,
                ["adapter_bytes"] = r.AdapterBytes,
                ["infer_ms_unmerged"] = r.InferMsUnmerged,
                ["infer_ms_merged"] = r.InferMsMerged,
                ["step_ms_median_nondeterministic"] = r.StepMsNondeterministic,
                ["deterministic_cost"] = r.DeterministicCost,
                ["step_ms_min"] = r.StepMsMin,
                ["gradient_bytes"] = r.GradientBytes,
                ["weights_bytes"] = r.WeightsBytes,
                ["quantized_bytes"] = r.QuantizedBytes,
                ["quantized_float32_bytes"] = r.QuantizedFloat32Bytes,
                ["step_vs_full"] = full is null ? null : r.StepMsMedian / full.StepMsMedian,
                ["peak_mem_vs_full"] = full is null ? null : (double)r.PeakMemBytes / full.PeakMemBytes,
                ["optimizer_state_vs_full"] = full is null ? null : (double)r.OptimizerStateBytes / full.OptimizerStateBytes,
            });
        var doc = new JsonObject { ["machine"] = Machine.DeepClone(), ["config"] = Config.DeepClone(), ["rows"] = rows };
        return doc.ToJsonString(Indented);
    }

    /// <summary>Reads a document written by <see cref="ToJson"/> (e.g. a committed bench result).</summary>
    /// <exception cref="FormatException">The text is not such a document; the message names the missing part.</exception>
    public static BenchReport FromJson(string json)
    {
        var doc = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("A bench report is a JSON object with machine, config and rows.");
        JsonNode Need(JsonNode? node, string key) => node?[key] ?? throw new FormatException($"The bench report lacks '{key}'; write it with `kit bench --json`.");
        var rows = ((JsonArray)Need(doc, "rows")).Select(n => new BenchRow(
            Need(n, "method").GetValue<string>(), Need(n, "model").GetValue<string>(), Need(n, "step_ms_median").GetValue<double>(),
            Need(n, "step_ms_min").GetValue<double>(), Need(n, "tokens_per_s").GetValue<double>(), Need(n, "peak_mem_bytes").GetValue<long>(),
            Need(n, "trainable_params").GetValue<long>(), Need(n, "gradient_bytes").GetValue<long>(), Need(n, "optimizer_state_bytes").GetValue<long>(),
            n!["adapter_bytes"]?.GetValue<long>(), n["infer_ms_unmerged"]?.GetValue<double>(), n["infer_ms_merged"]?.GetValue<double>(),
            n["step_ms_median_nondeterministic"]?.GetValue<double>(), n["weights_bytes"]?.GetValue<long>(),
            n["quantized_bytes"]?.GetValue<long>(), n["quantized_float32_bytes"]?.GetValue<long>())).ToList();
        return new BenchReport(Need(doc, "machine").AsObject(), Need(doc, "config").AsObject(), rows);
    }

    /// <summary>Markdown: the command, machine, a table with the ratios against full fine-tuning as headline columns,
    /// how each figure was measured, and the targets (met or missed).</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        var full = Row(FullFineTune.Descriptor.Name);
        s.Append("# kit bench: ").Append(Config["model"]).Append("\n\n");
        if (Config["command"] is JsonNode cmd) s.Append("Command:\n\n```\n").Append(cmd.GetValue<string>()).Append("\n```\n\n");
        s.Append("Machine: ").Append(string.Join(" · ", Machine.Select(kv => $"{kv.Key} {kv.Value}"))).Append("\n\n");
        s.Append("Config: ").Append(string.Join(" · ", Config.Where(kv => kv.Key is not ("command" or "method_configs")).Select(kv => $"{kv.Key} {kv.Value}"))).Append("\n\n");
        s.Append("| method | step ms (median) | **step vs full** | tokens/s | trainable params | **trainable vs full** | optimizer state | **opt. state vs full** | peak RSS Δ | **peak vs full** | adapter file | infer ms | infer ms merged |\n");
        s.Append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        foreach (var r in Rows)
        {
            s.Append("| ").Append(r.Method)
             .Append(" | ").Append(F(r.StepMsMedian, "F1"))
             .Append(" | ").Append(full is null ? "–" : F(r.StepMsMedian / full.StepMsMedian, "F2") + "×")
             .Append(" | ").Append(F(r.TokensPerS, "N0"))
             .Append(" | ").Append(r.TrainableParams.ToString("N0", Inv))
             .Append(" | ").Append(full is null ? "–" : Pct((double)r.TrainableParams / full.TrainableParams))
             .Append(" | ").Append(ByteSize.Format(r.OptimizerStateBytes))
             .Append(" | ").Append(full is null ? "–" : Pct((double)r.OptimizerStateBytes / full.OptimizerStateBytes))
             .Append(" | ").Append(ByteSize.Format(r.PeakMemBytes))
             .Append(" | ").Append(full is null || full.PeakMemBytes <= 0 ? "–" : F((double)r.PeakMemBytes / full.PeakMemBytes, "F2") + "×")
             .Append(" | ").Append(r.AdapterBytes is long a ? ByteSize.Format(a) : "–")
             .Append(" | ").Append(r.InferMsUnmerged is double u ? F(u, "F2") : "–")
             .Append(" | ").Append(r.InferMsMerged is double m ? F(m, "F2") : "–")
             .Append(" |\n");
        }
        s.Append("""

            How each figure is measured (one process, methods interleaved round-robin over the repeats, order rotated each round):
            - **step ms**: wall time of a whole kit training step through `Trainer` (forward, loss, backward, AdamW step, zero-grad),
              median over all measured steps of all repeats, warm-up steps excluded. `lora-raw` is the same LoRA step written as
              plain TorchSharp (hand-made LoRA layers on the same TransformerModel forward, hand-written AdamW), no kit classes.
            - **ptuning-v1** is measured as the notebooks run it: no head; the language-model head runs at the last position
              only (`ModelInput.LogitPositions`) and the loss is cross-entropy over two label words (a verbalizer). Every other
              method trains a 2-way classification head on the last token ([CLS] on an encoder).
            - **tokens/s**: real tokens B·T per median step (virtual tokens of prompt methods not counted).
            - **optimizer state**: AdamW's exp_avg + exp_avg_sq, 2 × 4 bytes × trainable parameters (float32), exact.
            - **peak RSS Δ**: process RSS high-water mark while the method trains, minus RSS before its model was
              built, after the previous segment's memory was trimmed back to the OS (malloc_trim); the kernel's peak is reset
              (/proc/self/clear_refs) once the model is built, so building it (for a quantised base: float32 first, then
              replaced) is not counted. It includes the model as held, activations, gradients and optimizer state, median over repeats. Allocator caching
              makes it noisy at the tens-of-MiB level; the optimizer and gradient bytes in the JSON are exact.
            - **adapter file**: bytes written by `SaveAdapter` (config JSON + safetensors). Full fine-tuning saves the whole body.
            - **infer ms**: eval-mode forward of the batch under no_grad, median; LoRA and IA3 also merged (`Merge()`), alternating.
              full's inference is the plain base architecture, the reference for "merged ≈ base".


            """);
        AppendQuantizedBases(s);
        AppendDeterministicCost(s);
        AppendTargets(s);
        return s.ToString();
    }

    /// <summary>With lora-int8 / lora-nf4 rows: stored bytes of the quantised matrices and of all weights, step time beside float32 LoRA.</summary>
    void AppendQuantizedBases(StringBuilder s)
    {
        var quantized = Rows.Where(r => r.QuantizedBytes is not null).ToList();
        if (quantized.Count == 0) return;
        var lora = Row(LoraConfig.Descriptor.Name);
        s.Append("## LoRA on a quantised base (QLoRA)\n\nThe block layers' weight matrices stored as codes and scales (`BaseQuantizer`); ")
         .Append("embeddings, LayerNorms and heads stay float32. Each forward rebuilds a layer's float32 matrix from its codes, ")
         .Append("which is what the step-time ratio against float32 LoRA measures.\n\n")
         .Append("| method | quantised matrices | of their float32 | bits a weight | all weights held | vs float32 LoRA | step vs float32 LoRA |\n|---|--:|--:|--:|--:|--:|--:|\n");
        foreach (var r in quantized)
        {
            double share = (double)r.QuantizedBytes!.Value / r.QuantizedFloat32Bytes!.Value;
            s.Append($"| {r.Method} | {ByteSize.Format(r.QuantizedBytes.Value)} | {Pct(share)} | {F(32 * share, "F3")} | ")
             .Append(r.WeightsBytes is long w ? ByteSize.Format(w) : "–").Append(" | ")
             .Append(r.WeightsBytes is long held && lora?.WeightsBytes is long f ? Pct((double)held / f) : "–").Append(" | ")
             .Append(lora is null ? "–" : F(r.StepMsMedian / lora.StepMsMedian, "F2") + "×").Append(" |\n");
        }
        s.Append('\n');
    }

    /// <summary>With --deterministic-cost: each method's step time with libtorch's deterministic algorithms ÷ without.</summary>
    void AppendDeterministicCost(StringBuilder s)
    {
        var measured = Rows.Where(r => r.DeterministicCost is not null).ToList();
        if (measured.Count == 0) return;
        s.Append("## What reproducibility costs\n\nKitTorch.Setup turns libtorch's deterministic algorithms on. Each method was also ")
         .Append("trained with them off, in the same rounds (first in every other round), on the same model and batch: step-time ")
         .Append("medians and their ratio.\n\n| method | step ms, deterministic | step ms, not | ratio |\n|---|--:|--:|--:|\n");
        foreach (var r in measured)
            s.Append($"| {r.Method} | {F(r.StepMsMedian, "F1")} | {F(r.StepMsNondeterministic!.Value, "F1")} | {F(r.DeterministicCost!.Value, "F3")}× |\n");
        var ratios = measured.Select(r => r.DeterministicCost!.Value).Order().ToArray();
        s.Append($"\nMedian ratio over methods: {F(Statistics.Median(ratios), "F3")}× (range {F(ratios[0], "F3")}–{F(ratios[^1], "F3")}).\n\n");
    }

    void AppendTargets(StringBuilder s)
    {
        var full = Row(FullFineTune.Descriptor.Name);
        var lora = Row(LoraConfig.Descriptor.Name);
        var raw = Row(BenchRunner.RawMethod);
        s.Append("## Targets\n\n| target | measured | result |\n|---|--:|---|\n");
        void Target(string name, double? value, double limit, string format)
        {
            if (value is not double v) { s.Append($"| {name} | not measured | – |\n"); return; }
            s.Append($"| {name} | {F(v, format)} | {(v <= limit ? "met" : "**missed**")} |\n");
        }
        Target("LoRA step ≤ 0.75× full fine-tuning", lora is null || full is null ? null : lora.StepMsMedian / full.StepMsMedian, 0.75, "F3");
        Target("LoRA optimizer state ≤ 2% of full (as a fraction)", lora is null || full is null ? null : (double)lora.OptimizerStateBytes / full.OptimizerStateBytes, 0.02, "F5");
        Target("merged LoRA inference ≤ 1.03× base (full's)", lora?.InferMsMerged is double m && full?.InferMsUnmerged is double b ? m / b : null, 1.03, "F3");
        Target("kit LoRA step ≤ 1.05× plain TorchSharp", lora is null || raw is null ? null : lora.StepMsMedian / raw.StepMsMedian, 1.05, "F3");
        s.Append('\n');
    }

    static string F(double v, string format) => v.ToString(format, Inv);

    static string Pct(double fraction) => (100 * fraction).ToString(fraction < 0.01 ? "F3" : "F1", Inv) + "%";


    internal static JsonObject DescribeMachine()
    {
        string cpu = "unknown";
        long memory = 0;
        if (OperatingSystem.IsLinux())
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu;
            var total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            if (total is not null) memory = long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) * 1024;
        }
        return new JsonObject
        {
            ["os"] = RuntimeInformation.OSDescription,
            ["cpu"] = cpu,
            ["logical_cores"] = Environment.ProcessorCount,
            ["memory_bytes"] = memory,
            ["dotnet"] = Environment.Version.ToString(),
            ["torchsharp"] = TorchNatives.TorchSharpVersion,
            ["libtorch"] = __version__,
            ["device"] = KitTorch.Device.ToString(),
            ["torch_threads"] = get_num_threads(),
            ["utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv),
        };
    }

    internal static JsonObject DescribeConfig(BenchOptions o, TransformerConfig c, string? command)
    {
        var methods = new JsonObject();
        foreach (var m in o.Methods) methods[m] = JsonNode.Parse(BenchMethods.Create(m, c).ToJson());
        return new JsonObject
        {
            ["command"] = command,
            ["model"] = o.Model,
            ["kind"] = c.Kind == ModelKind.Decoder ? "decoder" : "encoder",
            ["hidden"] = c.HiddenSize,
            ["layers"] = c.NumLayers,
            ["heads"] = c.NumHeads,
            ["vocab"] = c.VocabSize,
            ["head"] = $"sequence classification, {BenchMethods.NumLabels} labels",
            ["batch"] = o.Batch,
            ["seq"] = o.Seq,
            ["steps"] = o.Steps,
            ["warmup"] = o.Warmup,
            ["repeat"] = o.Repeat,
            ["infer_iterations"] = o.InferIterations,
            ["seed"] = o.Seed,
            ["optimizer"] = $"AdamW lr {BenchRunner.LearningRate} wd {BenchRunner.WeightDecay} (dim ≥ 2)",
            ["method_configs"] = methods,
        };
    }
}
