using System.Collections.Concurrent;
using System.Reflection;

namespace PeftKit.Notebooks.Display;

/// <summary>
/// Shows Plotly.NET charts inline as HTML that renders offline: the figure JSON (Plotly.NET's <c>toFigureJson</c>,
/// called through reflection; the engine has no compile-time Plotly.NET reference) drawn with <c>Plotly.newPlot</c>,
/// and plotly.js — embedded in the Plotly.NET assembly as a resource — included once per notebook.
/// </summary>
public static class PlotlyFormatting
{
    const string ChartTypeName = "Plotly.NET.GenericChart";
    static readonly ConcurrentDictionary<Assembly, string?> Scripts = new();

    /// <summary>True for a Plotly.NET <c>GenericChart</c>.</summary>
    public static bool IsChart(object? value)
    {
        for (var t = value?.GetType(); t is not null; t = t.BaseType)
            if (t.FullName == ChartTypeName)
                return true;
        return false;
    }

    /// <summary>The plotly.js embedded in the given Plotly.NET assembly, or null when it has none.</summary>
    public static string? PlotlyJs(Assembly plotlyAssembly) => Scripts.GetOrAdd(plotlyAssembly, a =>
    {
        var name = a.GetManifestResourceNames().FirstOrDefault(n => n.Contains("plotly", StringComparison.OrdinalIgnoreCase) && n.EndsWith(".min.js", StringComparison.Ordinal));
        if (name is null)
            return null;
        using var stream = a.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Marker comment at the start of an inline plotly.js script (the HTML exporter embeds plotly.js once).</summary>
    public const string ScriptMarker = "/* peftkit:plotly.js */";

    internal static string Html(object chart, FormatterRegistry registry)
    {
        var type = chart.GetType();
        while (type.FullName != ChartTypeName)
            type = type.BaseType!;
        var toJson = type.Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == "toFigureJson" && m.GetParameters() is [var p] && p.ParameterType.IsAssignableFrom(chart.GetType()))
            ?? throw new InvalidOperationException("This Plotly.NET version has no GenericChart.toFigureJson; cannot display the chart.");
        var json = (string)toJson.Invoke(null, [chart])!;
        var id = "plot-" + Guid.NewGuid().ToString("N")[..12];
        var script = "";
        if (!registry.PlotlyScriptEmitted && PlotlyJs(type.Assembly) is { } js)
        {
            script = $"<script type=\"text/javascript\">{ScriptMarker}\n{js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}\n</script>\n";
            registry.PlotlyScriptEmitted = true;
        }
        return $$"""
            {{script}}<div id="{{id}}" class="peftkit-plotly"></div>
            <script type="text/javascript">
            (function () {
              var figure = {{json.Replace("</", "<\\/", StringComparison.Ordinal)}};
              Plotly.newPlot('{{id}}', figure.data, figure.layout || {}, figure.config || {});
            })();
            </script>
            """;
    }
}
