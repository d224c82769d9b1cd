namespace PeftKit.Training;

/// <summary>One progress report from <see cref="Trainer{TBatch}"/>, sent through the caller's <see cref="IProgress{T}"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Step">Optimizer steps taken so far.</param>
/// <param name="TotalSteps">Steps the run is planned to take (the schedule's horizon).</param>
/// <param name="Epoch">Current epoch, 1-based (0 before the first).</param>
/// <param name="Loss">Mean training loss over the steps since the previous log event (Log, Finished); null otherwise.</param>
/// <param name="LearningRate">Learning rate used by the latest step (0 before the first).</param>
/// <param name="TokensPerSecond">Throughput since the previous log event; null when the trainer was given no token counter.</param>
/// <param name="Elapsed">Wall time since training started.</param>
/// <param name="Eta">Estimated time to the last step, from the mean step time so far; null before the first step.</param>
/// <param name="Metrics">Evaluator result (Eval only).</param>
/// <param name="IsBest">True when this evaluation is the best so far on <see cref="TrainerConfig.Metric"/>.</param>
/// <param name="Message">A sentence for Started/Finished events; null otherwise.</param>
public sealed record TrainingEvent(
    TrainingEventKind Kind,
    int Step,
    int TotalSteps,
    int Epoch,
    double? Loss,
    double LearningRate,
    double? TokensPerSecond,
    TimeSpan Elapsed,
    TimeSpan? Eta,
    IReadOnlyDictionary<string, double>? Metrics = null,
    bool IsBest = false,
    string? Message = null);
