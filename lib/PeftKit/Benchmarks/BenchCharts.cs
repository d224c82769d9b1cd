using PeftKit.Charts;
using PeftKit.Methods.Baselines;

namespace PeftKit.Benchmarks;

/// <summary>Charts of a <see cref="BenchReport"/> (used by notebook 07 and by the README figure).</summary>
public static class BenchCharts
{
    /// <summary>
    /// Cost relative to full fine-tuning, per method: grouped bars of train-step time, trainable parameters, optimizer
    /// state and peak memory, each divided by full fine-tuning's (1.0 = the same cost), on a log axis.
    /// </summary>
    /// <exception cref="ArgumentException">The report has no <c>full</c> row to divide by.</exception>
    public static Chart CostVersusFull(BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var full = report.Row(FullFineTune.Descriptor.Name) ?? throw new ArgumentException("The bench report has no 'full' row; run `kit bench` with full in --methods.", nameof(report));
        var rows = report.Rows.Where(r => r.Method != FullFineTune.Descriptor.Name).ToList();
        var methods = rows.Select(r => r.Method).ToArray();
        (string Name, Func<BenchRow, double> Ratio)[] measures =
        [
            ("train-step time", r => r.StepMsMedian / full.StepMsMedian),
            ("trainable parameters", r => (double)r.TrainableParams / full.TrainableParams),
            ("optimizer state", r => (double)r.OptimizerStateBytes / full.OptimizerStateBytes),
            ("peak memory (RSS Δ)", r => (double)Math.Max(r.PeakMemBytes, 1) / Math.Max(full.PeakMemBytes, 1)),
        ];
        var model = report.Config["model"]?.ToString() ?? "?";
        return Chart.Combine(measures.Select(m => Chart.Column(rows.Select(m.Ratio), methods, m.Name)))
            .WithXAxis("method")
            .WithYAxis("cost ÷ full fine-tuning's (log scale; 1 = same)", log: true)
            .WithSize(1100, 560)
            .WithTitle($"What each method costs relative to full fine-tuning ({model}, one run, medians)");
    }
}
