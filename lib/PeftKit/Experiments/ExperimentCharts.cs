using Plotly.NET;
using PlotlyChart = Plotly.NET.CSharp.Chart;
using Plotly.NET.CSharp;

namespace PeftKit.Experiments;

/// <summary>
/// Plotly.NET charts of <see cref="RunResult"/>s. They return a <see cref="GenericChart"/>; a notebook shows one by
/// making it a cell's last value (or <c>.Display()</c>). Axes are labelled; the caller's title should say what to see.
/// </summary>
public static class ExperimentCharts
{
    /// <summary>Steps averaged in the training-loss curves (single-batch losses are too noisy to compare runs).</summary>
    public const int LossWindow = 10;

    /// <summary>Training loss against step, one line per run (running mean over <see cref="LossWindow"/> steps).</summary>
    public static GenericChart TrainingCurves(IEnumerable<RunResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.SmoothedLoss(r.Label, r.History)), markers: false,
            $"training loss (mean of last {LossWindow} steps)", title);

    /// <summary>Dev accuracy at every evaluation against step, one line per run.</summary>
    public static GenericChart DevAccuracyCurves(IEnumerable<RunResult> runs, string title) =>
        ChartParts.StepCurves(ChartParts.NonEmpty(runs).Select(r => ChartParts.Evaluated(r.Label, r.History, "accuracy")), markers: true,
            "dev accuracy", title);

    /// <summary>Test accuracy against trainable parameters (log scale), one labelled point per run.</summary>
    public static GenericChart AccuracyVsParameters(IEnumerable<RunResult> runs, string title)
    {
        var list = ChartParts.NonEmpty(runs);
        var points = list.Select(r => PlotlyChart.Point<double, double, string>(
            new[] { (double)r.TrainableParameters }, new[] { r.TestAccuracy }, Name: r.Label,
            Text: r.Label, TextPosition: StyleParam.TextPosition.TopCenter));
        return ChartParts.Titled(PlotlyChart.Combine(points)
            .WithXAxisStyle<double, double, string>(TitleText: "trainable parameters (log scale)", AxisType: StyleParam.AxisType.Log)
            .WithYAxisStyle<double, double, string>(TitleText: "test accuracy (best dev checkpoint)"), title);
    }

    /// <summary>One line through (x, y) points, e.g. accuracy against LoRA rank.</summary>
    public static GenericChart Sweep(string xTitle, IEnumerable<(double x, double y)> points, string yTitle, string title, bool logX = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(xTitle);
        ArgumentException.ThrowIfNullOrWhiteSpace(yTitle);
        ArgumentNullException.ThrowIfNull(points);
        var list = points.ToArray();
        if (list.Length == 0) throw new ArgumentException("A sweep needs at least one point.", nameof(points));
        if (logX && list.Any(p => p.x <= 0)) throw new ArgumentException("A log-scale x axis needs every x above 0.", nameof(points));
        var chart = PlotlyChart.Line<double, double, string>(list.Select(p => p.x).ToArray(), list.Select(p => p.y).ToArray(), ShowMarkers: true, Name: yTitle)
            .WithXAxisStyle<double, double, string>(TitleText: xTitle, AxisType: logX ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear)
            .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return ChartParts.Titled(chart, title);
    }

    /// <summary>A bar per run of any per-run figure (step time, memory, adapter size), optionally on a log axis.</summary>
    public static GenericChart Bars(IEnumerable<RunResult> runs, Func<RunResult, double> value, string yTitle, string title, bool logY = false)
    {
        var list = ChartParts.NonEmpty(runs);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrWhiteSpace(yTitle);
        var chart = PlotlyChart.Column<double, string, string>(list.Select(value).ToArray(), Keys: list.Select(r => r.Label).ToArray(), Name: yTitle)
            .WithXAxisStyle<string, string, string>(TitleText: "run")
            .WithYAxisStyle<double, double, string>(TitleText: yTitle, AxisType: logY ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear);
        return ChartParts.Titled(chart, title);
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
