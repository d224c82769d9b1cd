namespace PeftKit.Experiments;

/// <summary>What one classification <see cref="RunSpec"/> measured. Accuracies are of the best dev checkpoint, which the run restores.</summary>
public sealed record RunResult : ExperimentResult
{
    /// <summary>The base the run fine-tuned ("tiny-gpt", "tiny-bert").</summary>
    public required string BaseName { get; init; }

    /// <summary>The spec that produced this result.</summary>
    public required RunSpec Spec { get; init; }

    /// <summary>Dev accuracy of the best dev checkpoint.</summary>
    public required double DevAccuracy { get; init; }

    /// <summary>Test accuracy of the best dev checkpoint.</summary>
    public required double TestAccuracy { get; init; }
}
