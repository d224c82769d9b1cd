namespace PeftKit.Training;

/// <summary>Whether a lower or a higher value of the watched evaluation metric is better.</summary>
public enum MetricGoal
{
    /// <summary>Lower is better (loss, perplexity, error rate).</summary>
    Minimize,

    /// <summary>Higher is better (accuracy, F1).</summary>
    Maximize,
}
