namespace PeftKit.Training;

/// <summary>The training loss became NaN or infinite; the run was stopped.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception with a message that names the step, the last finite loss and what to try.</summary>
    public TrainingDivergedException(int step, double loss, double learningRate, int? lastFiniteStep, double? lastFiniteLoss,
        bool clipping, bool restoredBest, TrainingHistory history)
        : base(Describe(step, loss, learningRate, lastFiniteStep, lastFiniteLoss, clipping, restoredBest))
    {
        Step = step;
        LastFiniteStep = lastFiniteStep;
        LastFiniteLoss = lastFiniteLoss;
        History = history;
    }

    /// <summary>The first optimizer step whose loss was not finite.</summary>
    public int Step { get; }

    /// <summary>The last step with a finite loss; null when the very first step diverged.</summary>
    public int? LastFiniteStep { get; }

    /// <summary>The loss at <see cref="LastFiniteStep"/>.</summary>
    public double? LastFiniteLoss { get; }

    /// <summary>The history up to and including the diverged step.</summary>
    public TrainingHistory History { get; }

    static string Describe(int step, double loss, double lr, int? lastStep, double? lastLoss, bool clipping, bool restoredBest)
    {
        var last = lastStep is null ? "no earlier step had a finite loss" : $"last finite loss {lastLoss:G6} at step {lastStep}";
        var tries = clipping
            ? "Try a lower learning rate, a longer warmup or a smaller TrainerConfig.MaxGradNorm"
            : "Try a lower learning rate, a longer warmup, or enable gradient clipping (TrainerConfig.MaxGradNorm = 1.0)";
        var weights = restoredBest ? " The best checkpoint kept so far was restored into the parameters." : "";
        var value = double.IsNaN(loss) ? "NaN" : loss > 0 ? "+Infinity" : "-Infinity";
        return $"Training diverged: the loss at step {step} is {value} ({last}; learning rate {lr:G4}). {tries}.{weights}";
    }
}
