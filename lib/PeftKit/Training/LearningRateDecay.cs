namespace PeftKit.Training;

/// <summary>How the learning rate falls from its peak (reached at the end of warmup) to the floor.</summary>
public enum LearningRateDecay
{
    /// <summary>Straight line from the peak to <see cref="TrainerConfig.MinLearningRate"/> at the last step.</summary>
    Linear,

    /// <summary>Half a cosine from the peak to <see cref="TrainerConfig.MinLearningRate"/> at the last step.</summary>
    Cosine,

    /// <summary>Stays at the peak after warmup.</summary>
    Constant,
}
