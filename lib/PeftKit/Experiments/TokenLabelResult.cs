namespace PeftKit.Experiments;

/// <summary>One token labelling run (<see cref="TokenLabelExperiment.Run(TinyBase, TokenLabelData, RunSpec, IProgress{PeftKit.Training.TrainingEvent}?)"/>):
/// dev and test scores of the best dev checkpoint (by macro F1), and what the run cost.</summary>
public sealed record TokenLabelResult : ExperimentResult
{
    /// <summary>Name of the base model.</summary>
    public required string BaseName { get; init; }

    /// <summary>The spec that produced this run.</summary>
    public required RunSpec Spec { get; init; }

    /// <summary>Dev scores of the kept checkpoint.</summary>
    public required TokenLabelScores Dev { get; init; }

    /// <summary>Test scores of the kept checkpoint.</summary>
    public required TokenLabelScores Test { get; init; }
}
