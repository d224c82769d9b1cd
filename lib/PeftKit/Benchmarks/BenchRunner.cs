using PeftKit.Methods.Lora;
using PeftKit.Quantization;
using System.Diagnostics;
using PeftKit.Models;
using PeftKit.Setup;
using PeftKit.Training;
using static TorchSharp.torch;
using PeftKit.Measurement;

namespace PeftKit.Benchmarks;

/// <summary>Measures every method on the same randomly initialised model, batch and sequence length, in one process,
/// interleaved round-robin over the repeats so machine noise hits all methods alike. Call
/// <see cref="KitTorch.Setup"/> first.</summary>
public static class BenchRunner
{
    /// <summary>AdamW learning rate used by every method (and the raw reference).</summary>
    public const double LearningRate = 1e-4;

    /// <summary>AdamW weight decay on tensors with ≥ 2 dimensions.</summary>
    public const double WeightDecay = 0.01;

    /// <summary>Method name of the plain-TorchSharp LoRA reference row.</summary>
    public const string RawMethod = "lora-raw";

    /// <summary>Runs the benchmark; progress lines (one per segment) go to <paramref name="progress"/>.</summary>
    public static BenchReport Run(BenchOptions options, IProgress<string>? progress = null, string? command = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = BenchMethods.ModelConfig(options.Model);
        var (plain, ptuning) = MakeBatches(options, config);
        var entries = options.Methods.ToList();
        if (options.RawReference && entries.Contains(LoraConfig.Descriptor.Name)) entries.Insert(entries.IndexOf(LoraConfig.Descriptor.Name) + 1, RawMethod);
        var samples = entries.ToDictionary(m => m, _ => new Samples());
        try
        {
            for (int r = 0; r < options.Repeat; r++)
            {
                // Rotate the order each round so no method always runs first (cold caches) or last.
                var order = entries.Skip(r % entries.Count).Concat(entries.Take(r % entries.Count));
                foreach (var method in order)
                {
                    var batch = method != RawMethod && BenchMethods.ReadsLabelWords(method) ? ptuning : plain; // the raw reference is LoRA
                    var s = samples[method];
                    // The twin without deterministic algorithms runs beside the measured one, first in every other round.
                    bool twinFirst = options.DeterministicCost && r % 2 == 1, twinAfter = options.DeterministicCost && !twinFirst;
                    if (method == RawMethod) RunRaw(options, config, batch, s);
                    else
                    {
                        if (twinFirst) RunNondeterministic(options, config, method, batch, s);
                        RunKit(options, config, method, batch, s, first: r == 0);
                        if (twinAfter) RunNondeterministic(options, config, method, batch, s);
                    }
                    progress?.Report($"round {r + 1}/{options.Repeat} · {method,-12} · step {Statistics.Median(s.StepMs.TakeLast(options.Steps)):F1} ms · peak +{s.PeakBytes[^1] / 1048576.0:F0} MiB");
                }
            }
        }
        finally
        {
            foreach (var t in new[] { plain.InputIds, plain.Labels!, ptuning.InputIds }) t.Dispose();
        }
        long tokens = (long)options.Batch * options.Seq;
        var rows = entries.Select(m =>
        {
            var s = samples[m];
            double step = Statistics.Median(s.StepMs);
            return new BenchRow(m, options.Model, step, s.StepMs.Min(), tokens / (step / 1000.0), (long)Statistics.Median(s.PeakBytes.Select(b => (double)b)),
                s.Trainable, s.GradientBytes, 2 * s.GradientBytes, s.AdapterBytes,
                s.InferUnmerged.Count > 0 ? Statistics.Median(s.InferUnmerged) : null, s.InferMerged.Count > 0 ? Statistics.Median(s.InferMerged) : null,
                s.StepMsNondeterministic.Count > 0 ? Statistics.Median(s.StepMsNondeterministic) : null,
                s.WeightsBytes, s.Quantization?.StoredBytes, s.Quantization?.Float32Bytes);
        }).ToList();
        return new BenchReport(BenchReport.DescribeMachine(), BenchReport.DescribeConfig(options, config, command), rows);
    }

    static (ModelInput plain, ModelInput ptuning) MakeBatches(BenchOptions o, TransformerConfig config)
    {
        var g = new Generator((ulong)o.Seed);
        // Random ids below the two ids P-Tuning v1 reserves (pseudo token, mask): (B, T).
        var ids = randint(0, config.VocabSize - 2, [o.Batch, o.Seq], dtype: int64, generator: g);
        var labels = randint(0, BenchMethods.NumLabels, [o.Batch], dtype: int64, generator: g);
        // P-Tuning v1 places its prompt inside the sequence: the template's first VirtualTokens ids are the pseudo token.
        var pt = ids.clone();
        pt[.., ..BenchMethods.VirtualTokens] = BenchMethods.PseudoTokenId(config);
        g.Dispose();
        return (new ModelInput(ids, Labels: labels), new ModelInput(pt, Labels: labels));
    }

    static void RunKit(BenchOptions o, TransformerConfig config, string method, ModelInput batch, Samples s, bool first)
    {
        ProcessMemory.Release();
        ProcessMemory.ResetPeak();
        long rss0 = ProcessMemory.CurrentResidentBytes();
        manual_seed(o.Seed);
        var model = BenchMethods.CreateModel(o.Model, method, out var quantization);
        var peft = Peft.Apply(model, BenchMethods.Create(method, config));
        peft.train();
        // The peak counts from here: building the model is not training, and a quantised row builds its float32 model
        // first and then replaces it (a transient that loading quantised weights layer by layer would not have).
        ProcessMemory.Release();
        ProcessMemory.ResetPeak();
        try
        {
            s.Quantization = quantization;
            s.WeightsBytes = peft.parameters().Sum(p => p.numel() * p.ElementSize)
                + peft.modules().OfType<QuantizedLinear>().Sum(q => q.Weight.StoredBytes);
            // The bench batch is unpadded, so every row's last real token is at T − 1: (B), built once per run.
            using var last = full(batch.InputIds.shape[0], batch.InputIds.shape[1] - 1, int64);
            s.StepMs.AddRange(TrainSteps(o, method, peft, batch, last));
            s.PeakBytes.Add(ProcessMemory.PeakResidentBytes() - rss0);

            var trainable = peft.TrainableParameters().ToList();
            s.Trainable = trainable.Sum(p => p.numel());
            s.GradientBytes = trainable.Sum(p => p.numel() * p.ElementSize);
            if (first) s.AdapterBytes = SavedAdapter.Of(peft).Bytes;
            TimeInference(o, method, peft, batch, last, s);
        }
        finally
        {
            peft.Dispose();
            model.Dispose();
        }
    }

    /// <summary>The same training with libtorch's deterministic algorithms off (KitTorch.Setup's default is on): step times only.</summary>
    static void RunNondeterministic(BenchOptions o, TransformerConfig config, string method, ModelInput batch, Samples s)
    {
        manual_seed(o.Seed);
        using var model = BenchMethods.CreateModel(o.Model, method, out _);
        using var peft = Peft.Apply(model, BenchMethods.Create(method, config));
        peft.train();
        using var last = full(batch.InputIds.shape[0], batch.InputIds.shape[1] - 1, int64);
        bool was = Reproducibility.Deterministic;
        if (!Reproducibility.UseDeterministicAlgorithms(false))
            throw new InvalidOperationException("--deterministic-cost needs libtorch's deterministic switch, which is not reachable here (see Reproducibility).");
        try { s.StepMsNondeterministic.AddRange(TrainSteps(o, method, peft, batch, last)); }
        finally { Reproducibility.UseDeterministicAlgorithms(was); }
    }

    /// <summary>Warm-up plus measured AdamW steps on the one batch; the measured steps' wall times in ms.</summary>
    static IEnumerable<double> TrainSteps(BenchOptions o, string method, PeftModel peft, ModelInput batch, Tensor last)
    {
        int total = o.Warmup + o.Steps;
        var trainerConfig = new TrainerConfig { LearningRate = LearningRate, WeightDecay = WeightDecay, MaxSteps = total, LogEvery = total, Seed = o.Seed };
        Func<ModelInput, Tensor> loss = BenchMethods.ReadsLabelWords(method)
            ? b => nn.functional.cross_entropy(ReadLabelWords(peft, b, last), b.Labels!)
            : b => peft.forward(b).Loss!;
        TrainingHistory history;
        using (var trainer = new Trainer<ModelInput>(trainerConfig, peft.named_parameters(), loss, tokenCount: _ => (long)o.Batch * o.Seq))
            history = trainer.Train(Enumerable.Repeat(batch, total));
        // WallSeconds is the run clock at each step's end: differences are whole steps (data, forward, backward, AdamW, zero-grad).
        var ends = history.Steps.Select(st => st.WallSeconds * 1000).ToArray();
        return Enumerable.Range(o.Warmup, ends.Length - o.Warmup).Select(i => i == 0 ? ends[0] : ends[i] - ends[i - 1]).ToList();
    }

    /// <summary>P-Tuning v1's readout as the notebooks run it: the LM head at the last position only → label-word logits (B, C).</summary>
    static Tensor ReadLabelWords(PeftModel peft, ModelInput batch, Tensor last) =>
        BenchMethods.Verbalizer.Select(peft.forward(new ModelInput(batch.InputIds, LogitPositions: last)).Logits!);

    static void RunRaw(BenchOptions o, TransformerConfig config, ModelInput batch, Samples s)
    {
        ProcessMemory.Release();
        ProcessMemory.ResetPeak();
        long rss0 = ProcessMemory.CurrentResidentBytes();
        manual_seed(o.Seed);
        var lora = (LoraConfig)BenchMethods.Create(LoraConfig.Descriptor.Name, config); // the reference measures the same LoRA
        using var raw = new RawLoraReference(BenchMethods.CreateModel(o.Model), lora.TargetModules, lora.Rank, lora.Alpha);
        for (int i = 0; i < o.Warmup + o.Steps; i++)
        {
            double ms = raw.Step(batch);
            if (i >= o.Warmup) s.StepMs.Add(ms);
        }
        s.PeakBytes.Add(ProcessMemory.PeakResidentBytes() - rss0);
        s.Trainable = raw.Trainable.Sum(p => p.numel());
        s.GradientBytes = raw.Trainable.Sum(p => p.numel() * p.ElementSize);
    }

    static void TimeInference(BenchOptions o, string method, PeftModel peft, ModelInput batch, Tensor last, Samples s)
    {
        // No labels: logits only (P-Tuning v1: at the one position its verbalizer reads, last (B)).
        var input = BenchMethods.ReadsLabelWords(method) ? new ModelInput(batch.InputIds, LogitPositions: last) : new ModelInput(batch.InputIds);
        bool mergeable = BenchMethods.Mergeable(method);
        peft.eval();
        using var _ = no_grad();
        Forward(peft, input);   // warm-up
        for (int i = 0; i < o.InferIterations; i++)
        {
            // Unmerged and merged alternate so both see the same machine state.
            s.InferUnmerged.Add(Forward(peft, input));
            if (!mergeable) continue;
            peft.Merge();
            if (i == 0) Forward(peft, input);   // warm-up of the merged path
            s.InferMerged.Add(Forward(peft, input));
            peft.Unmerge();
        }
        peft.train();
    }

    static double Forward(PeftModel peft, ModelInput input)
    {
        var clock = Stopwatch.StartNew();
        using var output = peft.forward(input);
        return clock.Elapsed.TotalMilliseconds;
    }

    sealed class Samples
    {
        public List<double> StepMs { get; } = [];
        public List<long> PeakBytes { get; } = [];
        public List<double> InferUnmerged { get; } = [];
        public List<double> InferMerged { get; } = [];
        public List<double> StepMsNondeterministic { get; } = [];
        public long Trainable { get; set; }
        public long GradientBytes { get; set; }
        public long? AdapterBytes { get; set; }
        public long? WeightsBytes { get; set; }
        public QuantizationReport? Quantization { get; set; }
    }
}
