namespace PeftKit.Training;

/// <summary>One optimizer step in a <see cref="TrainingHistory"/>.</summary>
/// <param name="Step">1-based optimizer step.</param>
/// <param name="Epoch">1-based epoch the step belongs to.</param>
/// <param name="Loss">Mean loss over the step's micro-batches (before the update).</param>
/// <param name="LearningRate">Learning rate the step used (the shared rate; a parameter with a <see cref="TrainerConfig.LearningRateMultiplier"/> used this times its multiplier).</param>
/// <param name="GradNorm">Global L2 norm of the gradients before clipping; null when clipping is off.</param>
/// <param name="Tokens">Tokens in the step's micro-batches (0 without a token counter).</param>
/// <param name="WallSeconds">Seconds since training started, at the end of the step (host clock).</param>
public sealed record TrainStepRecord(int Step, int Epoch, double Loss, double LearningRate, double? GradNorm, long Tokens, double WallSeconds);
