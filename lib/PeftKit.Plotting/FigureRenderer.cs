using System.Text.Json;
using Plotly.NET;
using Plotly.NET.CSharp;
using PlotlyChart = Plotly.NET.CSharp.Chart;

namespace PeftKit.Plotting;

/// <summary>
/// Turns a PeftKit chart description (JSON written by <c>PeftKit.Charts.Chart</c>) into Plotly's figure JSON with
/// Plotly.NET, and hands out the plotly.js that Plotly.NET embeds. Called by reflection from another load context,
/// so both members take and return strings only.
/// </summary>
public static class FigureRenderer
{
    /// <summary>The figure JSON (<c>{"data": […], "layout": {…}, "config": {…}}</c>) of a chart description.</summary>
    public static string Render(string description)
    {
        using var doc = JsonDocument.Parse(description);
        var root = doc.RootElement;
        var traces = root.GetProperty("traces").EnumerateArray().Select(Trace).ToList();
        var chart = traces.Count == 1 ? traces[0] : PlotlyChart.Combine(traces);
        chart = Axis(chart, root.GetProperty("xAxis"), x: true);
        chart = Axis(chart, root.GetProperty("yAxis"), x: false);
        if (root.TryGetProperty("width", out var w) && root.TryGetProperty("height", out var h))
            chart = chart.WithSize(w.GetInt32(), h.GetInt32());
        if (root.TryGetProperty("title", out var title))
            // Plotly.NET.CSharp 0.14 has no WithTitle; the F# core's Chart.withTitle returns a function to apply.
            chart = Plotly.NET.Chart.withTitle(title.GetString()!, TitleFont: null).Invoke(chart);
        return GenericChart.toFigureJson(chart);
    }

    /// <summary>The minified plotly.js embedded in the Plotly.NET assembly, or null when it carries none.</summary>
    public static string? PlotlyJs()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .FirstOrDefault(n => n.Contains("plotly", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".min.js", StringComparison.Ordinal));
        if (name is null) return null;
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }

    static GenericChart Trace(JsonElement t)
    {
        var kind = t.GetProperty("kind").GetString();
        var y = t.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var name = t.TryGetProperty("name", out var n) ? n.GetString() : null;
        var xs = t.GetProperty("x").EnumerateArray().ToList();
        bool categorical = xs.Count > 0 && xs[0].ValueKind == JsonValueKind.String;
        var labels = t.TryGetProperty("labels", out var l) ? l.EnumerateArray().Select(v => v.GetString()!).ToArray() : null;
        return kind switch
        {
            "column" => PlotlyChart.Column<double, string, string>(y, Keys: xs.Select(v => v.GetString()!).ToArray(), Name: Opt(name)),
            "line" when categorical => PlotlyChart.Line<string, double, string>(Strings(xs), y, ShowMarkers: t.GetProperty("markers").GetBoolean(), Name: Opt(name)),
            "line" => PlotlyChart.Line<double, double, string>(Numbers(xs), y, ShowMarkers: t.GetProperty("markers").GetBoolean(), Name: Opt(name)),
            "point" when categorical => PlotlyChart.Point<string, double, string>(Strings(xs), y, Name: Opt(name),
                MultiText: OptLabels(labels), TextPosition: labels is null ? default(Optional<StyleParam.TextPosition>) : StyleParam.TextPosition.TopCenter),
            "point" => PlotlyChart.Point<double, double, string>(Numbers(xs), y, Name: Opt(name),
                MultiText: OptLabels(labels), TextPosition: labels is null ? default(Optional<StyleParam.TextPosition>) : StyleParam.TextPosition.TopCenter),
            _ => throw new ArgumentException($"Unknown trace kind '{kind}'."),
        };
    }

    static GenericChart Axis(GenericChart chart, JsonElement axis, bool x)
    {
        var title = axis.TryGetProperty("title", out var t) ? t.GetString() : null;
        var type = axis.TryGetProperty("log", out var log) && log.GetBoolean() ? StyleParam.AxisType.Log : StyleParam.AxisType.Linear;
        var range = axis.TryGetProperty("min", out var min) && axis.TryGetProperty("max", out var max)
            ? new Tuple<double, double>(min.GetDouble(), max.GetDouble()) : null;
        return x
            ? chart.WithXAxisStyle<double, double, string>(TitleText: Opt(title), AxisType: type, MinMax: range is null ? default(Optional<Tuple<double, double>>) : range)
            : chart.WithYAxisStyle<double, double, string>(TitleText: Opt(title), AxisType: type, MinMax: range is null ? default(Optional<Tuple<double, double>>) : range);
    }

    static double[] Numbers(List<JsonElement> xs) => xs.Select(v => v.GetDouble()).ToArray();
    static string[] Strings(List<JsonElement> xs) => xs.Select(v => v.GetString()!).ToArray();
    static Optional<string> Opt(string? value) => value is null ? default(Optional<string>) : value;
    static Optional<IEnumerable<string>> OptLabels(string[]? labels) => labels is null ? default(Optional<IEnumerable<string>>) : labels;
}
