namespace PeftKit.Benchmarks;

/// <summary>What <see cref="BenchRunner"/> measures: methods, model shape, batch and the sample sizes. Validated at construction.</summary>
public sealed record BenchOptions
{
    /// <summary>Creates and validates the options; null batch/seq pick the model's default (<see cref="BenchMethods.DefaultShape"/>).</summary>
    public BenchOptions(IReadOnlyList<string>? methods = null, string model = "tiny-gpt", int steps = 5, int warmup = 2, int repeat = 3,
        int? batch = null, int? seq = null, int inferIterations = 5, int seed = 42, bool rawReference = true,
        bool deterministicCost = false)
    {
        if (!BenchMethods.Models.Contains(model))
            throw new ArgumentException($"Unknown bench model '{model}'; use one of: {string.Join(", ", BenchMethods.Models)}.", nameof(model));
        var list = methods is null || methods.Count == 0 ? BenchMethods.All : methods;
        var unknown = list.Where(m => !BenchMethods.Known.Contains(m)).ToList();
        if (unknown.Count > 0)
            throw new ArgumentException($"Unknown method(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; use any of: {string.Join(", ", BenchMethods.Known)}.", nameof(methods));
        if (list.Distinct().Count() != list.Count) throw new ArgumentException("A method is listed twice in --methods.", nameof(methods));
        Methods = [.. list];
        Model = model;
        Steps = steps >= 1 ? steps : throw new ArgumentOutOfRangeException(nameof(steps), steps, "--steps (measured train steps per repeat) must be at least 1.");
        Warmup = warmup >= 0 ? warmup : throw new ArgumentOutOfRangeException(nameof(warmup), warmup, "Warm-up steps must be 0 or more.");
        Repeat = repeat >= 1 ? repeat : throw new ArgumentOutOfRangeException(nameof(repeat), repeat, "--repeat must be at least 1.");
        var (b, t) = BenchMethods.DefaultShape(model);
        Batch = batch ?? b;
        Seq = seq ?? t;
        if (Batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), Batch, "--batch must be at least 1.");
        int virtualTokens = BenchMethods.VirtualTokens;
        int maxPositions = BenchMethods.ModelConfig(model).MaxPositions;
        if (Seq <= virtualTokens || Seq + virtualTokens > maxPositions)
            throw new ArgumentOutOfRangeException(nameof(seq), Seq,
                $"--seq must be above {virtualTokens} (P-Tuning v1 puts {virtualTokens} prompt tokens inside the sequence) and at most {maxPositions - virtualTokens} (prompt tuning adds {virtualTokens} positions to a model with {maxPositions}).");
        InferIterations = inferIterations >= 1 ? inferIterations : throw new ArgumentOutOfRangeException(nameof(inferIterations), inferIterations, "Inference iterations must be at least 1.");
        Seed = seed;
        RawReference = rawReference;
        DeterministicCost = deterministicCost;
    }

    /// <summary>Methods to measure, lower-case names from <see cref="BenchMethods.Known"/>.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Model shape name, one of <see cref="BenchMethods.Models"/>.</summary>
    public string Model { get; }

    /// <summary>Measured train steps per method per repeat (after the warm-up).</summary>
    public int Steps { get; }

    /// <summary>Warm-up train steps per method per repeat, not timed.</summary>
    public int Warmup { get; }

    /// <summary>Rounds over all methods (round-robin, so machine noise hits every method alike).</summary>
    public int Repeat { get; }

    /// <summary>Batch size B.</summary>
    public int Batch { get; }

    /// <summary>Real tokens per row T (prompt-style methods add virtual positions on top, except P-Tuning v1 which places them inside).</summary>
    public int Seq { get; }

    /// <summary>Timed inference forwards per method per repeat.</summary>
    public int InferIterations { get; }

    /// <summary>Seed for the model initialisation and the random batch (every method gets the same).</summary>
    public int Seed { get; }

    /// <summary>Also time the hand-written plain-TorchSharp LoRA step (row method <c>lora-raw</c>) when LoRA is measured.</summary>
    public bool RawReference { get; }

    /// <summary>Also train every method with libtorch's deterministic algorithms off, beside the measured run, and report
    /// the step-time ratio (<see cref="BenchRow.DeterministicCost"/>): what KitTorch.Setup's reproducibility costs.</summary>
    public bool DeterministicCost { get; }

    /// <summary>The short CI mode: a tiny batch, one round, one measured step; checks the table, not the speed.</summary>
    public static BenchOptions Short(IReadOnlyList<string>? methods = null, string model = "tiny-gpt") =>
        new(methods, model, steps: 1, warmup: 1, repeat: 1, batch: 2, seq: 24, inferIterations: 1);
}
