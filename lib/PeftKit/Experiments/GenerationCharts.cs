using PeftKit.Charts;

namespace PeftKit.Experiments;

/// <summary>Charts of <see cref="GenerationResult"/>s' own scores (axes labelled; the caller's title says what to see); training curves and bars are <see cref="ExperimentCharts"/>'.</summary>
public static class GenerationCharts
{
    /// <summary>Dev loss on the answer tokens at every evaluation against step, one line per run.</summary>
    public static Chart DevLossCurves(IEnumerable<GenerationResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.Evaluated(r.Label, r.History, "dev_loss")), markers: true,
            "dev loss, answer tokens (nats)", title);
}
