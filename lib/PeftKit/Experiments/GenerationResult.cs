using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>What one <see cref="GenerationExperiment.Run(PeftKit.Models.TransformerModel, GenerationData, GenerationSpec, IProgress{TrainingEvent}?)"/> produced (the best-dev-loss checkpoint).</summary>
public sealed record GenerationResult
{
    /// <summary>The spec's label.</summary>
    public required string Label { get; init; }

    /// <summary>The method's name (its PeftType).</summary>
    public required string Method { get; init; }

    /// <summary>Parameters that trained (a reparameterisation network included).</summary>
    public required long TrainableParameters { get; init; }

    /// <summary>All parameters of the adapted model while training (frozen base + method).</summary>
    public required long TotalParameters { get; init; }

    /// <summary>Values in the saved adapter file (prefix tuning: the produced prefix only, not the MLP).</summary>
    public required long SavedParameters { get; init; }

    /// <summary>Size of the saved adapter's safetensors file in bytes.</summary>
    public required long AdapterBytes { get; init; }

    /// <summary>Dev scores.</summary>
    public required GenerationEvaluation Dev { get; init; }

    /// <summary>Test scores (samples come from here).</summary>
    public required GenerationEvaluation Test { get; init; }

    /// <summary>Median wall time of a training step in milliseconds.</summary>
    public required double StepMsMedian { get; init; }

    /// <summary>Wall time of the run (training, evaluation, saving) in seconds.</summary>
    public required double Seconds { get; init; }

    /// <summary>Peak resident memory of the process at the end, in bytes.</summary>
    public required long PeakResidentBytes { get; init; }

    /// <summary>The training curve and the dev-loss evaluations ("dev_loss").</summary>
    public required TrainingHistory History { get; init; }

    /// <summary>Seed of the run.</summary>
    public required int Seed { get; init; }
}
