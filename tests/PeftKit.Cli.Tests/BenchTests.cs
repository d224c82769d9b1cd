using System.Text.Json.Nodes;
using PeftKit.Benchmarks;
using PeftKit.Setup;
using static TorchSharp.torch;

namespace PeftKit.Cli.Tests;

/// <summary>`kit bench --short`: the table's correctness (keys, nulls, counts against the library), never its speed.</summary>
public sealed class BenchTests
{
    static readonly string[] Keys =
        ["method", "model", "step_ms_median", "tokens_per_s", "peak_mem_bytes", "trainable_params", "optimizer_state_bytes",
         "adapter_bytes", "infer_ms_unmerged", "infer_ms_merged"];

    [Fact]
    public void ShortJsonHasEveryRowWithTheRightKeysAndExactCounts()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kit-bench-{Guid.NewGuid():N}.json");
        try
        {
            var (exit, stdout, stderr) = Kit.Run("bench", "--short", "--infer-iterations", "3", "--json", path);
            Assert.True(exit == 0, stderr);
            Assert.Contains("| lora |", stdout);
            var doc = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            Assert.Equal(["machine", "config", "rows"], doc.Select(kv => kv.Key));
            Assert.Equal(3, doc["config"]!["infer_iterations"]!.GetValue<int>());   // the option reaches the run (short's default is 1)
            var rows = doc["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();
            // Every method in catalog order, the hand-written LoRA reference right after LoRA.
            var expected = BenchMethods.All.ToList();
            expected.Insert(expected.IndexOf("lora") + 1, BenchRunner.RawMethod);
            Assert.Equal(expected, rows.Select(r => r["method"]!.GetValue<string>()));

            KitTorch.Setup();
            var config = BenchMethods.ModelConfig("tiny-gpt");
            foreach (var row in rows)
            {
                var method = row["method"]!.GetValue<string>();
                foreach (var key in Keys) Assert.True(row.ContainsKey(key), $"{method}: key '{key}' missing");
                Assert.Equal("tiny-gpt", row["model"]!.GetValue<string>());
                Assert.True(row["step_ms_median"]!.GetValue<double>() > 0, method);
                Assert.True(row["tokens_per_s"]!.GetValue<double>() > 0, method);
                Assert.NotNull(row["peak_mem_bytes"]);
                long trainable = row["trainable_params"]!.GetValue<long>();
                // AdamW keeps exp_avg and exp_avg_sq in float32: exactly 2 × 4 bytes per trainable parameter.
                Assert.Equal(8 * trainable, row["optimizer_state_bytes"]!.GetValue<long>());
                bool raw = method == BenchRunner.RawMethod;
                Assert.Equal(raw, row["adapter_bytes"] is null);
                Assert.Equal(raw, row["infer_ms_unmerged"] is null);
                Assert.Equal(!raw && BenchMethods.Mergeable(method), row["infer_ms_merged"] is not null);
                if (!raw) Assert.True(row["adapter_bytes"]!.GetValue<long>() > 0, method);

                // Trainable parameters equal the PeftModel's own report for the same method on the same model.
                var peftMethod = raw ? "lora" : method;
                using var model = BenchMethods.CreateModel("tiny-gpt", peftMethod);   // P-Tuning v1: LM head, no classifier
                using var peft = Peft.Apply(model, BenchMethods.Create(peftMethod, config));
                Assert.Equal(peft.Report().Trainable, trainable);
            }
            // P-Tuning v1 trains its prompt encoder only: embedding + LSTM + MLP, no head (d·2 fewer than with a classifier).
            var ptv1 = rows.Single(r => r["method"]!.GetValue<string>() == "ptuning-v1")["trainable_params"]!.GetValue<long>();
            using (var lm = BenchMethods.CreateModel("tiny-gpt", "ptuning-v1"))
            using (var pt = Peft.Apply(lm, BenchMethods.Create("ptuning-v1", config)))
                Assert.All(pt.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.StartsWith("prompt_encoder.", p.name));
            Assert.Equal(3_028_736, ptv1);   // the LSTM encoder's count in notebook 04's table; with a classifier it was 3,029,248
            long full = rows[0]["trainable_params"]!.GetValue<long>();
            Assert.True(rows.Skip(1).All(r => r["trainable_params"]!.GetValue<long>() < full), "full fine-tuning trains the most parameters");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void BadArgumentsGetAClearMessage()
    {
        var (exit, _, stderr) = Kit.Run("bench", "--short", "--methods", "lora,dora");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown method(s) 'dora'; use any of: full, linear-probe", stderr);
        (exit, _, stderr) = Kit.Run("bench", "--model", "llama");
        Assert.Equal(2, exit);
        Assert.Contains("Unknown bench model 'llama'; use one of: tiny-gpt, tiny-bert, gpt2-shape, bert-shape.", stderr);
        (exit, _, stderr) = Kit.Run("bench", "--short", "--seq", "10");
        Assert.Equal(2, exit);
        Assert.Contains("--seq must be above 20", stderr);
        (exit, _, stderr) = Kit.Run("bench", "--short", "--infer-iterations", "0");
        Assert.Equal(2, exit);
        Assert.Contains("Inference iterations must be at least 1", stderr);
    }

    [Fact]
    public void MethodSubsetOnAnEncoderGivesOnlyThoseRows()
    {
        KitTorch.Setup();
        var report = BenchRunner.Run(BenchOptions.Short(["lora", "ia3"], "tiny-bert"));
        Assert.Equal(["ia3", "lora", BenchRunner.RawMethod], report.Rows.Select(r => r.Method).Order());
        Assert.All(report.Rows, r => Assert.Equal(r.TrainableParams * 8, r.OptimizerStateBytes));
        var doc = JsonNode.Parse(report.ToJson())!;
        Assert.Null(doc["rows"]![0]!["step_vs_full"]);   // no full row: ratios are null, not invented
        Assert.Contains("| not measured |", report.ToMarkdown());
    }

    [Fact]
    public void JsonReadsBackToTheSameReport()
    {
        KitTorch.Setup();
        var report = BenchRunner.Run(BenchOptions.Short(["full", "ia3"], "tiny-gpt"));
        var json = report.ToJson();
        Assert.Equal(json, BenchReport.FromJson(json).ToJson());
        var error = Assert.Throws<FormatException>(() => BenchReport.FromJson("""{"machine": {}, "config": {}}"""));
        Assert.Equal("The bench report lacks 'rows'; write it with `kit bench --json`.", error.Message);
    }

    [Fact]
    public void PngFigureIsRenderedAtTheRequestedSize()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kit-bench-{Guid.NewGuid():N}.png");
        try
        {
            var (exit, _, stderr) = Kit.Run("bench", "--short", "--methods", "full,lora", "--no-raw", "--png", path);
            Assert.True(exit == 0, stderr);
            var bytes = File.ReadAllBytes(path);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
            // IHDR: width and height, big-endian, at bytes 16..23.
            Assert.Equal(1100, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
            Assert.Equal(560, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// --deterministic-cost trains each method a second time with libtorch's deterministic algorithms off, beside the
    /// measured run: the JSON and the report carry both medians and their ratio, and the switch is back on afterwards.
    /// (Whether the ratio is near 1 is a measurement for `kit bench`, not a test.)
    /// </summary>
    [Fact]
    public void DeterministicCostMeasuresEveryMethodBothWays()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kit-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var (json, markdown) = (Path.Combine(dir, "b.json"), Path.Combine(dir, "b.md"));
        var (exit, stdout, stderr) = Kit.Run("bench", "--short", "--methods", "full,lora", "--no-raw", "--deterministic-cost", "--json", json, "--markdown", markdown);
        Assert.True(exit == 0, stdout + stderr);
        var rows = JsonNode.Parse(File.ReadAllText(json))!["rows"]!.AsArray().Select(r => r!.AsObject()).ToList();
        Assert.Equal(["full", "lora"], rows.Select(r => r["method"]!.GetValue<string>()));
        foreach (var row in rows)
        {
            double on = row["step_ms_median"]!.GetValue<double>(), off = row["step_ms_median_nondeterministic"]!.GetValue<double>();
            Assert.True(on > 0 && off > 0, row.ToJsonString());
            Assert.Equal(on / off, row["deterministic_cost"]!.GetValue<double>(), 12);
        }
        var report = BenchReport.FromJson(File.ReadAllText(json));
        Assert.Equal(rows[1]["step_ms_median_nondeterministic"]!.GetValue<double>(), report.Row("lora")!.StepMsNondeterministic);
        var text = File.ReadAllText(markdown);
        Assert.Contains("## What reproducibility costs", text);
        Assert.Contains("| lora |", text[text.IndexOf("## What reproducibility costs", StringComparison.Ordinal)..]);

        // Without the option nothing of it appears.
        Assert.Equal(0, Kit.Run("bench", "--short", "--methods", "lora", "--no-raw", "--json", json).Exit);
        Assert.Null(JsonNode.Parse(File.ReadAllText(json))!["rows"]![0]!["step_ms_median_nondeterministic"]);
    }

    [Fact]
    public void QuantisedLoraRowsReportStoredBytesBesideFloat32Lora()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"kit-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var (json, markdown) = (Path.Combine(dir, "q.json"), Path.Combine(dir, "q.md"));
            var (exit, stdout, stderr) = Kit.Run("bench", "--short", "--methods", "lora,lora-int8,lora-nf4", "--no-raw", "--json", json, "--markdown", markdown);
            Assert.True(exit == 0, stdout + stderr);
            var report = BenchReport.FromJson(File.ReadAllText(json));
            var (lora, int8, nf4) = (report.Row("lora")!, report.Row("lora-int8")!, report.Row("lora-nf4")!);
            Assert.Null(lora.QuantizedBytes);
            Assert.Equal(lora.TrainableParams, int8.TrainableParams);                    // the same LoRA, only the base's storage differs
            Assert.Equal(lora.TrainableParams, nf4.TrainableParams);
            // tiny-gpt's block matrices (d = 256, f = 1024): int8 stores 1/4 + 1/in of float32, NF4 4.127/32.
            Assert.InRange((double)int8.QuantizedBytes!.Value / int8.QuantizedFloat32Bytes!.Value, 0.25, 0.26);
            Assert.InRange((double)nf4.QuantizedBytes!.Value / nf4.QuantizedFloat32Bytes!.Value, 0.128, 0.13);
            Assert.Equal(int8.QuantizedFloat32Bytes, nf4.QuantizedFloat32Bytes);
            // Weights held: float32 LoRA minus the quantised matrices' float32 bytes plus their stored bytes, exactly.
            Assert.Equal(lora.WeightsBytes - nf4.QuantizedFloat32Bytes + nf4.QuantizedBytes, nf4.WeightsBytes);
            Assert.Equal(lora.WeightsBytes - int8.QuantizedFloat32Bytes + int8.QuantizedBytes, int8.WeightsBytes);
            Assert.NotNull(nf4.InferMsMerged);                                           // merging dequantises: timed too
            var text = File.ReadAllText(markdown);
            Assert.Contains("## LoRA on a quantised base (QLoRA)", text);
            Assert.Contains("| lora-nf4 |", text[text.IndexOf("## LoRA on a quantised base", StringComparison.Ordinal)..]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
