using PeftKit.Charts;

namespace PeftKit.Experiments;

/// <summary>
/// Charts of experiment results (<see cref="RunResult"/>; the training curves and bars of any <see cref="ExperimentResult"/>). They return a <see cref="Chart"/>; a notebook shows one by
/// making it a cell's last value (or <c>.Display()</c>). Axes are labelled; the caller's title should say what to see.
/// </summary>
public static class ExperimentCharts
{
    /// <summary>Steps averaged in the training-loss curves (single-batch losses are too noisy to compare runs).</summary>
    public const int LossWindow = 10;

    /// <summary>Training loss against step, one line per run (running mean over <see cref="LossWindow"/> steps).</summary>
    public static Chart TrainingCurves(IEnumerable<ExperimentResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.SmoothedLoss(r.Label, r.History)), markers: false,
            $"training loss (mean of last {LossWindow} steps)", title);

    /// <summary>Dev accuracy at every evaluation against step, one line per run.</summary>
    public static Chart DevAccuracyCurves(IEnumerable<RunResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.Evaluated(r.Label, r.History, "accuracy")), markers: true,
            "dev accuracy", title);

    /// <summary>Test accuracy against trainable parameters (log scale), one labelled point per run.</summary>
    public static Chart AccuracyVsParameters(IEnumerable<RunResult> runs, string title)
    {
        var list = ChartParts.NonEmpty(runs);
        var points = list.Select(r => Chart.Point([(double)r.TrainableParameters], [r.TestAccuracy], r.Label, labels: [r.Label]));
        return Chart.Combine(points)
            .WithXAxis("trainable parameters (log scale)", log: true)
            .WithYAxis("test accuracy (best dev checkpoint)")
            .WithTitle(title);
    }

    /// <summary>One line through (x, y) points, e.g. accuracy against LoRA rank.</summary>
    public static Chart Sweep(string xTitle, IEnumerable<(double x, double y)> points, string yTitle, string title, bool logX = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(xTitle);
        ArgumentException.ThrowIfNullOrWhiteSpace(yTitle);
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToArray();
        if (list.Length == 0) throw new ArgumentException("A sweep needs at least one point.", nameof(points));
        if (logX && list.Any(p => p.x <= 0)) throw new ArgumentException("A log-scale x axis needs every x above 0.", nameof(points));
        return Chart.Line(list.Select(p => p.x), list.Select(p => p.y), yTitle, markers: true)
            .WithXAxis(xTitle, log: logX)
            .WithYAxis(yTitle)
            .WithTitle(title);
    }

    /// <summary>A bar per run of any per-run figure (step time, memory, adapter size), optionally on a log axis.</summary>
    public static Chart Bars<TResult>(IEnumerable<TResult> runs, Func<TResult, double> value, string yTitle, string title, bool logY = false) where TResult : ExperimentResult
    {
        var list = ChartParts.NonEmpty(runs);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(yTitle);
        return Chart.Column(list.Select(value), list.Select(r => r.Label), yTitle)
            .WithXAxis("run")
            .WithYAxis(yTitle, log: logY)
            .WithTitle(title);
    }

    /// <summary>Mean of the last <paramref name="window"/> values at each position (fewer at the start).</summary>
    internal static double[] RunningMean(double[] values, int window)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result[i] = sum / Math.Min(i + 1, window);
        }
        return result;
    }
}
