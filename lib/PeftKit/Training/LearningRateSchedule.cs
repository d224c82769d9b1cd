namespace PeftKit.Training;

/// <summary>
/// The learning rate at each optimizer step: linear warmup from 0 to the peak over the warmup steps, then decay to
/// the floor at the last step. Steps are 1-based: step 1 is the first parameter update.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>Learning rate for optimizer step <paramref name="step"/> (1-based) of <paramref name="totalSteps"/>.</summary>
    /// <param name="step">The step about to be taken, 1 ≤ step.</param>
    /// <param name="totalSteps">Steps in the whole run; the decay reaches <paramref name="minLearningRate"/> here.</param>
    /// <param name="peak">Learning rate at the end of warmup.</param>
    /// <param name="warmupSteps">Steps of linear warmup: step s ≤ W gets peak·s/W.</param>
    /// <param name="decay">Shape of the decay after warmup.</param>
    /// <param name="minLearningRate">The floor the decay ends at.</param>
    public static double At(int step, int totalSteps, double peak, int warmupSteps, LearningRateDecay decay, double minLearningRate)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps are 1-based: the first update is step 1.");
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "A run needs at least one step.");
        if (warmupSteps > 0 && step <= warmupSteps) return peak * step / warmupSteps;
        if (decay == LearningRateDecay.Constant || totalSteps <= warmupSteps) return peak;
        // p ∈ (0, 1]: how far through the decay phase this step is; p = 1 at the last step.
        var p = Math.Min(1.0, (double)(step - warmupSteps) / (totalSteps - warmupSteps));
        var shape = decay == LearningRateDecay.Linear ? 1 - p : 0.5 * (1 + Math.Cos(Math.PI * p));
        return minLearningRate + (peak - minLearningRate) * shape;
    }
}
