namespace PeftKit.Experiments;

/// <summary>What one <see cref="GenerationSpec"/> measured (the best-dev-loss checkpoint; its history's dev metric is "dev_loss").</summary>
public sealed record GenerationResult : ExperimentResult
{
    /// <summary>Dev scores.</summary>
    public required GenerationEvaluation Dev { get; init; }

    /// <summary>Test scores (samples come from here).</summary>
    public required GenerationEvaluation Test { get; init; }
}
