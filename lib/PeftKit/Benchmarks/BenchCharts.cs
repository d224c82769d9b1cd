using Plotly.NET;
using Plotly.NET.CSharp;
using Chart = Plotly.NET.CSharp.Chart;

namespace PeftKit.Benchmarks;

/// <summary>Plotly.NET figures of a <see cref="BenchReport"/> (used by notebook 07 and by the README figure).</summary>
public static class BenchCharts
{
    /// <summary>
    /// Cost relative to full fine-tuning, per method: grouped bars of train-step time, trainable parameters, optimizer
    /// state and peak memory, each divided by full fine-tuning's (1.0 = the same cost), on a log axis.
    /// </summary>
    /// <exception cref="ArgumentException">The report has no <c>full</c> row to divide by.</exception>
    public static GenericChart CostVersusFull(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var full = report.Row("full") ?? throw new ArgumentException("The bench report has no 'full' row; run `kit bench` with full in --methods.", nameof(report));
        var rows = report.Rows.Where(r => r.Method != "full").ToList();
        var methods = rows.Select(r => r.Method).ToArray();
        (string Name, Func<BenchRow, double> Ratio)[] measures =
        [
            ("train-step time", r => r.StepMsMedian / full.StepMsMedian),
            ("trainable parameters", r => (double)r.TrainableParams / full.TrainableParams),
            ("optimizer state", r => (double)r.OptimizerStateBytes / full.OptimizerStateBytes),
            ("peak memory (RSS Δ)", r => (double)Math.Max(r.PeakMemBytes, 1) / Math.Max(full.PeakMemBytes, 1)),
        ];
        var bars = measures.Select(m => Chart.Column<double, string, string>(values: rows.Select(m.Ratio).ToArray(), Keys: methods, Name: m.Name));
        var chart = Chart.Combine(bars)
            .WithXAxisStyle<string, string, string>(TitleText: "method")
            .WithYAxisStyle<double, double, string>(TitleText: "cost ÷ full fine-tuning's (log scale; 1 = same)", AxisType: StyleParam.AxisType.Log)
            .WithSize(1100, 560);
        var model = report.Config["model"]?.ToString() ?? "?";
        // Plotly.NET.CSharp 0.14 has no WithTitle; the F# core's Chart.withTitle returns a function to apply.
        return Plotly.NET.Chart.withTitle($"What each method costs relative to full fine-tuning ({model}, one run, medians)", TitleFont: null).Invoke(chart);
    }
}
