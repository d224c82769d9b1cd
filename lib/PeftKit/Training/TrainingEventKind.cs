namespace PeftKit.Training;

/// <summary>What a <see cref="TrainingEvent"/> reports.</summary>
public enum TrainingEventKind
{
    /// <summary>Training is about to take its first step.</summary>
    Started,

    /// <summary>A log step (every <see cref="TrainerConfig.LogEvery"/> steps): loss, learning rate, throughput, ETA.</summary>
    Log,

    /// <summary>The evaluator ran; <see cref="TrainingEvent.Metrics"/> holds its result.</summary>
    Eval,

    /// <summary>Training ended; <see cref="TrainingEvent.Message"/> says why and whether the best weights were restored.</summary>
    Finished,
}
