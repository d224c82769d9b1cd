namespace PeftKit.Experiments;

/// <summary>One generation training run: a method, its schedule, and how the result is scored.</summary>
public sealed record GenerationSpec
{
    /// <summary>Shown in tables and legends, e.g. "Prefix n=10 (MLP)".</summary>
    public required string Label { get; init; }

    /// <summary>The method put on the decoder (e.g. <c>PrefixTuningConfig</c>, <c>FullFineTune</c>, <c>LoraConfig</c>).</summary>
    public required PeftConfig Method { get; init; }

    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "Steps must be at least 1."); } = 300;

    /// <summary>Examples per step.</summary>
    public int BatchSize { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "BatchSize must be at least 1."); } = 16;

    /// <summary>Peak AdamW learning rate (linear warmup, then linear decay to 0).</summary>
    public double LearningRate { get; init => field = double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "LearningRate must be a positive number."); } = 1e-3;

    /// <summary>Warmup steps (below <see cref="Steps"/>).</summary>
    public int WarmupSteps { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), value, "WarmupSteps must be ≥ 0."); } = 30;

    /// <summary>Dev loss every this many steps (the curve; the best one is kept).</summary>
    public int EvalEvery { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EvalEvery), value, "EvalEvery must be at least 1."); } = 100;

    /// <summary>Seeds the method's initialisation, the batch order and dropout.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Tokens generated per example when scoring (greedy; stops at end of text).</summary>
    public int MaxNewTokens { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(MaxNewTokens), value, "MaxNewTokens must be at least 1."); } = 24;

    /// <summary>Dev/test examples generated for token F1 and exact match; null = every example of the split.</summary>
    public int? GenerateMax { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(GenerateMax), value, "GenerateMax must be at least 1, or null."); }

    /// <summary>Test examples whose generations the result keeps as samples to show.</summary>
    public int Samples { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Samples), value, "Samples must be ≥ 0."); } = 5;
}
