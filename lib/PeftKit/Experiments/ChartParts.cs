using Plotly.NET;
using PeftKit.Training;
using PlotlyChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

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
    internal static GenericChart StepCurves(IEnumerable<(string Name, double[] Steps, double[] Values)> lines, bool markers, string yTitle, string title)
    {
        var traces = lines.Select(l => markers
            ? PlotlyChart.Line<double, double, string>(l.Steps, l.Values, ShowMarkers: true, Name: l.Name)
            : PlotlyChart.Line<double, double, string>(l.Steps, l.Values, Name: l.Name));
        return Titled(PlotlyChart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: "optimizer step")
            .WithYAxisStyle<double, double, string>(TitleText: yTitle), title);
    }

    // Plotly.NET.CSharp 0.14 has no WithTitle; the F# core's Chart.withTitle returns a function to apply to the chart.
    internal static GenericChart Titled(GenericChart chart, string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return Plotly.NET.Chart.withTitle(title, TitleFont: null).Invoke(chart);
    }
}
