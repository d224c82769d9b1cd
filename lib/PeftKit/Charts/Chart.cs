using System.Text;
using System.Text.Json;

namespace PeftKit.Charts;

/// <summary>
/// A chart: line, column and point traces with a title and two labelled axes. Plotly.NET draws it (in a load
/// context of its own, see <see cref="PlottingBridge"/>), so it shows the same in the .NET Interactive kernel
/// (VS Code Polyglot, Jupyter), the kit's notebook engine and a file-based app. Make it a cell's last value to show
/// it. Immutable: every <c>With…</c> returns a new chart.
/// </summary>
/// <example><code>
/// Chart.Line([1, 2, 3], [0.9, 0.5, 0.3], name: "train", markers: true)
///     .WithXAxis("optimizer step").WithYAxis("loss", log: true).WithTitle("Training loss")
/// </code></example>
[TypeFormatterSource(typeof(ChartFormatterSource))]
public sealed class Chart
{
    readonly IReadOnlyList<ChartTrace> traces;
    readonly ChartLayout layout;

    Chart(IReadOnlyList<ChartTrace> traces, ChartLayout layout) => (this.traces, this.layout) = (traces, layout);

    /// <summary>The title, or null when none was set.</summary>
    public string? Title => layout.Title;

    /// <summary>Width in pixels set by <see cref="WithSize"/>, or null (the viewer's width).</summary>
    public int? Width => layout.Width;

    /// <summary>Height in pixels set by <see cref="WithSize"/>, or null (the viewer's height).</summary>
    public int? Height => layout.Height;

    /// <summary>Trace names in drawing order (null for an unnamed trace).</summary>
    public IReadOnlyList<string?> TraceNames => [.. traces.Select(t => t.Name)];

    /// <summary>A line through (x, y) in order; <paramref name="markers"/> also marks each point.</summary>
    public static Chart Line(IEnumerable<double> x, IEnumerable<double> y, string? name = null, bool markers = false) =>
        Single(ChartTrace.Create("line", Numbers(x, nameof(x)), y, name, markers, labels: null));

    /// <summary>One bar per key.</summary>
    public static Chart Column(IEnumerable<double> values, IEnumerable<string> keys, string? name = null) =>
        Single(ChartTrace.Create("column", Categories(keys, nameof(keys)), values, name, markers: false, labels: null));

    /// <summary>Points at (x, y); <paramref name="labels"/> writes a text label above each point.</summary>
    public static Chart Point(IEnumerable<double> x, IEnumerable<double> y, string? name = null, IEnumerable<string>? labels = null) =>
        Single(ChartTrace.Create("point", Numbers(x, nameof(x)), y, name, markers: true, labels?.ToArray()));

    /// <summary>Points on a categorical x axis (e.g. one point per seed above each method's bar).</summary>
    public static Chart Point(IEnumerable<string> x, IEnumerable<double> y, string? name = null) =>
        Single(ChartTrace.Create("point", Categories(x, nameof(x)), y, name, markers: true, labels: null));

    /// <summary>All traces of <paramref name="charts"/> on one pair of axes; title and axes from the first chart that sets each.</summary>
    public static Chart Combine(IEnumerable<Chart> charts)
    {
        ArgumentNullException.ThrowIfNull(charts);
        var list = charts.ToList();
        if (list.Count == 0) throw new ArgumentException("Combine needs at least one chart.", nameof(charts));
        var layout = list.Select(c => c.layout).Aggregate((a, b) => a.OrElse(b));
        return new Chart([.. list.SelectMany(c => c.traces)], layout);
    }

    /// <summary>The same chart with a title.</summary>
    public Chart WithTitle(string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        return new(traces, layout with { Title = title });
    }

    /// <summary>The same chart with its x axis titled (and on a log scale when <paramref name="log"/>).</summary>
    public Chart WithXAxis(string title, bool log = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        if (log) RequirePositive(traces.Where(t => !t.Categorical).SelectMany(t => t.X.Cast<double>()), "x");
        return new(traces, layout with { X = new ChartAxis(title, log, null, null) });
    }

    /// <summary>The same chart with its y axis titled, optionally on a log scale and limited to [min, max].</summary>
    public Chart WithYAxis(string title, bool log = false, double? min = null, double? max = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        if (log) RequirePositive(traces.SelectMany(t => t.Y), "y");
        if ((min is null) != (max is null) || min >= max || (min is { } a && !double.IsFinite(a)) || (max is { } b && !double.IsFinite(b)))
            throw new ArgumentException($"A y range needs both ends, finite, with min < max (got {min}, {max}).");
        return new(traces, layout with { Y = new ChartAxis(title, log, min, max) });
    }

    /// <summary>The same chart at a fixed size in pixels.</summary>
    public Chart WithSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        return new(traces, layout with { Width = width, Height = height });
    }

    /// <summary>Plotly's figure JSON (<c>{"data": […], "layout": {…}}</c>), made by Plotly.NET.</summary>
    public string ToFigureJson() => PlottingBridge.Render(Describe());

    /// <summary>
    /// An HTML fragment that draws the chart offline: a div and a script calling <c>Plotly.newPlot</c>, preceded by
    /// plotly.js itself when <paramref name="includePlotlyJs"/> (once per page is enough).
    /// </summary>
    public string ToHtml(bool includePlotlyJs = true)
    {
        var figure = ToFigureJson().Replace("</", "<\\/", StringComparison.Ordinal);
        var id = "peftkit-chart-" + Guid.NewGuid().ToString("N")[..12];
        var script = includePlotlyJs
            ? $"<script type=\"text/javascript\">{PlotlyJsMarker}\n{PlottingBridge.PlotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}\n</script>\n"
            : "";
        return $$"""
            {{script}}<div id="{{id}}" class="peftkit-plotly"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{figure}};
              if (typeof Plotly === 'undefined') {
                document.getElementById('{{id}}').textContent = 'plotly.js is not loaded on this page: run the notebook from its first chart cell (that output carries it).';
                return;
              }
              Plotly.newPlot('{{id}}', figure.data, figure.layout || {}, figure.config || {});
            })();
            </script>
            """;
    }

    /// <summary>The plotly.js (embedded in Plotly.NET) that draws these charts without a network.</summary>
    public static string PlotlyJs => PlottingBridge.PlotlyJs;

    /// <summary>Marker at the start of the inline plotly.js script (the kit's HTML export keeps one copy a page).</summary>
    public const string PlotlyJsMarker = "/* peftkit:plotly.js */";

    /// <inheritdoc/>
    public override string ToString() =>
        $"Chart \"{layout.Title ?? "(untitled)"}\": {traces.Count} trace{(traces.Count == 1 ? "" : "s")} ({string.Join(", ", traces.Select(t => $"{t.Kind} {t.Name ?? "(unnamed)"}, {t.Y.Length} points"))})";

    /// <summary>The chart as the JSON the plotting assembly reads.</summary>
    internal string Describe()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("traces");
            foreach (var t in traces) t.Write(w);
            w.WriteEndArray();
            if (layout.Title is { } title) w.WriteString("title", title);
            (layout.X ?? ChartAxis.None).Write(w, "xAxis");
            (layout.Y ?? ChartAxis.None).Write(w, "yAxis");
            if (layout.Width is { } width && layout.Height is { } height)
            {
                w.WriteNumber("width", width);
                w.WriteNumber("height", height);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    static Chart Single(ChartTrace trace) => new([trace], new ChartLayout(null, null, null, null, null));

    static object[] Numbers(IEnumerable<double> x, string what)
    {
        ArgumentNullException.ThrowIfNull(x, what);
        return [.. x.Select(v => (object)v)];
    }

    static object[] Categories(IEnumerable<string> x, string what)
    {
        ArgumentNullException.ThrowIfNull(x, what);
        return [.. x.Select(v => (object)(v ?? throw new ArgumentException($"{what} holds a null; every category needs a name.", what)))];
    }

    static void RequirePositive(IEnumerable<double> values, string axis)
    {
        if (values.FirstOrDefault(v => v <= 0, 1) is var bad && bad <= 0)
            throw new ArgumentException($"A log-scale {axis} axis needs every {axis} above 0 (found {bad}). Drop those points or use a linear axis.");
    }
}
