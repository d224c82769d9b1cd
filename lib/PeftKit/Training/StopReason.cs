namespace PeftKit.Training;

/// <summary>Why a training run ended.</summary>
public enum StopReason
{
    /// <summary><see cref="TrainerConfig.MaxSteps"/> optimizer steps were taken.</summary>
    MaxSteps,

    /// <summary><see cref="TrainerConfig.MaxEpochs"/> passes over the batch source were completed.</summary>
    MaxEpochs,

    /// <summary>The watched metric did not improve for <see cref="TrainerConfig.EarlyStoppingPatience"/> evaluations.</summary>
    EarlyStopping,

    /// <summary>The caller's cancellation token fired; the history holds the steps taken so far.</summary>
    Cancelled,
}
