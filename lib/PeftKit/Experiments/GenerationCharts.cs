using PeftKit.Charts;

namespace PeftKit.Experiments;

/// <summary>Charts of <see cref="GenerationResult"/>s (axes labelled; the caller's title says what to see).</summary>
public static class GenerationCharts
{
    /// <summary>Training loss on the answer tokens against step, one line per run (running mean over <see cref="ExperimentCharts.LossWindow"/> steps).</summary>
    public static Chart TrainingCurves(IEnumerable<GenerationResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.SmoothedLoss(r.Label, r.History)), markers: false,
            $"training loss, answer tokens (nats, mean of last {ExperimentCharts.LossWindow} steps)", title);

    /// <summary>Dev loss on the answer tokens at every evaluation against step, one line per run.</summary>
    public static Chart DevLossCurves(IEnumerable<GenerationResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.Evaluated(r.Label, r.History, "dev_loss")), markers: true,
            "dev loss, answer tokens (nats)", title);
}
