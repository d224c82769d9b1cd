using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace PeftKit.Experiments;

/// <summary>Plotly.NET charts of <see cref="GenerationResult"/>s (axes labelled; the caller's title says what to see).</summary>
public static class GenerationCharts
{
    /// <summary>Training loss on the answer tokens against step, one line per run (running mean over <see cref="ExperimentCharts.LossWindow"/> steps).</summary>
    public static GenericChart TrainingCurves(IEnumerable<GenerationResult> runs, string title)
    {
        var list = Materialise(runs);
        var lines = list.Select(r => PlotlyChart.Line<double, double, string>(
            r.History.Steps.Select(s => (double)s.Step).ToArray(),
            ExperimentCharts.RunningMean(r.History.Steps.Select(s => s.Loss).ToArray(), ExperimentCharts.LossWindow), Name: r.Label));
        return Titled(PlotlyChart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: "optimizer step")
            .WithYAxisStyle<double, double, string>(TitleText: $"training loss, answer tokens (nats, mean of last {ExperimentCharts.LossWindow} steps)"), title);
    }

    /// <summary>Dev loss on the answer tokens at every evaluation against step, one line per run.</summary>
    public static GenericChart DevLossCurves(IEnumerable<GenerationResult> runs, string title)
    {
        var list = Materialise(runs);
        var lines = list.Select(r =>
        {
            var (steps, values) = r.History.Metric("dev_loss");
            return PlotlyChart.Line<double, double, string>(steps.Select(s => (double)s).ToArray(), values, ShowMarkers: true, Name: r.Label);
        });
        return Titled(PlotlyChart.Combine(lines)
            .WithXAxisStyle<double, double, string>(TitleText: "optimizer step")
            .WithYAxisStyle<double, double, string>(TitleText: "dev loss, answer tokens (nats)"), title);
    }

    static List<GenerationResult> Materialise(IEnumerable<GenerationResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        if (list.Count == 0) throw new ArgumentException("Pass at least one run to chart.", nameof(runs));
        return list;
    }

    // Plotly.NET.CSharp 0.14 has no WithTitle; the F# core's Chart.withTitle returns a function to apply to the chart.
    static GenericChart Titled(GenericChart chart, string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return Plotly.NET.Chart.withTitle(title, TitleFont: null).Invoke(chart);
    }
}
