namespace PeftKit.Training;

/// <summary>One evaluator call in a <see cref="TrainingHistory"/>.</summary>
/// <param name="Step">Optimizer steps taken when the evaluator ran.</param>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="WallSeconds">Seconds since training started, after the evaluation.</param>
/// <param name="Metrics">What the evaluator returned.</param>
public sealed record EvalRecord(int Step, int Epoch, double WallSeconds, IReadOnlyDictionary<string, double> Metrics);
