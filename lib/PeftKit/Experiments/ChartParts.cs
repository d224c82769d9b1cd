using PeftKit.Charts;
using PeftKit.Training;

namespace PeftKit.Experiments;

/// <summary>What <see cref="ExperimentCharts"/> and <see cref="GenerationCharts"/> share: the non-empty check, curves
/// against optimizer step, and the title.</summary>
internal static class ChartParts
{
    internal static List<T> NonEmpty<T>(IEnumerable<T> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        if (list.Count == 0) throw new ArgumentException("Pass at least one run to chart.", nameof(runs));
        return list;
    }

    /// <summary>A run's training loss against step, as a running mean over <see cref="ExperimentCharts.LossWindow"/> steps.</summary>
    internal static (string Name, double[] Steps, double[] Values) SmoothedLoss(string name, TrainingHistory history) =>
        (name, [.. history.Steps.Select(s => (double)s.Step)],
         ExperimentCharts.RunningMean([.. history.Steps.Select(s => s.Loss)], ExperimentCharts.LossWindow));

    /// <summary>A metric at every evaluation against step.</summary>
    internal static (string Name, double[] Steps, double[] Values) Evaluated(string name, TrainingHistory history, string metric)
    {
        var (steps, values) = history.Metric(metric);
        return (name, [.. steps.Select(s => (double)s)], values);
    }

    /// <summary>One line per run against optimizer step (markers at each point when <paramref name="markers"/>).</summary>
    internal static Chart StepCurves(IEnumerable<(string Name, double[] Steps, double[] Values)> lines, bool markers, string yTitle, string title) =>
        Chart.Combine(lines.Select(l => Chart.Line(l.Steps, l.Values, l.Name, markers)))
            .WithXAxis("optimizer step")
            .WithYAxis(yTitle)
            .WithTitle(title);
}
