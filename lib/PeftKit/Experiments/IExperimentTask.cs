using PeftKit.Models;
using static TorchSharp.torch;

namespace PeftKit.Experiments;

/// <summary>
/// What a task plugs into <see cref="ExperimentLoop"/>: how the adapted model is built (seeded), the training batches
/// and loss, and the dev metric the best checkpoint is chosen on (named in the trainer configuration).
/// </summary>
internal interface IExperimentTask
{
    /// <summary>Seeds, builds the model the task needs and applies the method; disposes what it built if that fails.</summary>
    PeftModel Adapt();

    /// <summary>The training batches, shuffled by the run's seed.</summary>
    IEnumerable<ModelInput> TrainBatches();

    /// <summary>The training loss of one batch (a scalar).</summary>
    Tensor Loss(PeftModel model, ModelInput batch);

    /// <summary>The dev metric of the model as it is now.</summary>
    double DevMetric(PeftModel model);

    /// <summary>Tokens a batch trains on, for the trainer's throughput figure; null when not counted.</summary>
    Func<ModelInput, long>? CountTokens { get; }
}
