using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Exports a notebook as one self-contained HTML page that needs no network: markdown rendered with Markdig and its
/// math typeset with KaTeX (<see cref="Katex"/>), code highlighted, outputs inline. A chart output (Plotly's MIME type,
/// <see cref="PlotlyMimeType"/>) shows its PNG, which plotly.js replaces with the interactive chart when the page can run
/// scripts; plotly.js is on the page once, whatever the number of charts. Older HTML chart outputs that carry plotly.js
/// inline (<see cref="Display.PlotlyFormatting.ScriptMarker"/>) lose their copy to the page's one.
/// </summary>
public static partial class HtmlExporter
{
    /// <summary>Plotly's MIME type: a figure (<c>{"data": …, "layout": …}</c>) as JSON.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";

    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
        pre { background: #f6f8fa; padding: .7em; overflow-x: auto; border-radius: 4px; }
        .cell { margin: 1.2em 0; } .prompt { color: #888; font-size: .8em; }
        .output pre { background: #fff; border-left: 3px solid #ddd; } .stderr pre, .error pre { border-left-color: #d33; color: #a00; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
        .peftkit-plotly img { max-width: 100%; }
        .tok-comment { color: #6a737d; } .tok-string { color: #032f62; } .tok-keyword { color: #d73a49; }
        .tok-number { color: #005cc5; } .tok-directive { color: #6f42c1; }
        """;

    /// <summary>
    /// The page for <paramref name="notebook"/>; <paramref name="title"/> goes in the &lt;title&gt;. <paramref name="plotlyJs"/>
    /// draws chart outputs interactively; without it (and without an inline copy in an output) charts show their image.
    /// </summary>
    public static string Export(Notebook notebook, string title, string? plotlyJs = null)
    {
        var body = new StringBuilder();
        bool charts = false;
        foreach (var cell in notebook.Cells)
        {
            body.Append($"<div class=\"cell {cell.Type.ToString().ToLowerInvariant()}\">\n");
            if (cell.Type == CellType.Markdown)
                body.Append(MarkdownHtml(cell.Source));
            else if (cell.Type == CellType.Raw)
                body.Append($"<pre>{WebUtility.HtmlEncode(cell.Source)}</pre>");
            else
            {
                body.Append($"<div class=\"prompt\">[{cell.ExecutionCount?.ToString() ?? " "}]</div>\n");
                body.Append($"<pre><code class=\"language-csharp\">{CSharpHighlighter.ToHtml(cell.Source)}</code></pre>\n");
                foreach (var output in cell.Outputs)
                {
                    var (html, isChart) = Output(output, ref plotlyJs);
                    charts |= isChart;
                    body.Append(html).Append('\n');
                }
            }
            body.Append("</div>\n");
        }

        var page = new StringBuilder();
        page.Append($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{WebUtility.HtmlEncode(title)}</title>\n<style>\n{Style}\n</style>\n");
        if (charts && plotlyJs is not null)
            page.Append($"<script type=\"text/javascript\">{Display.PlotlyFormatting.ScriptMarker}\n{plotlyJs.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase)}\n</script>\n");
        page.Append("</head>\n<body>\n").Append(body);
        if (Katex.HasMath(body.ToString()))
            page.Append(Katex.PageBlock).Append('\n');
        return page.Append("</body>\n</html>\n").ToString();
    }

    static string MarkdownHtml(string markdown)
    {
        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.Replace<HtmlMathInlineRenderer>(new DisplayMathInlineRenderer());
        renderer.Render(Markdown.Parse(markdown, Pipeline));
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>One output's HTML, and whether it is a chart (which needs plotly.js on the page).</summary>
    static (string Html, bool Chart) Output(CellOutput output, ref string? plotlyJs)
    {
        switch (output.Kind)
        {
            case OutputKind.Stream:
                return ($"<div class=\"output {output.StreamName}\"><pre>{WebUtility.HtmlEncode(output.Text)}</pre></div>", false);
            case OutputKind.Error:
                var lines = output.Traceback.Count > 0 ? output.Traceback : [$"{output.EName}: {output.EValue}"];
                return ($"<div class=\"output error\"><pre>{WebUtility.HtmlEncode(string.Join("\n", lines))}</pre></div>", false);
        }
        if (output.Data.TryGetValue(PlotlyMimeType, out var stored) && Figure(stored) is { } figure)
            return (Chart(figure, output.GetText("image/png")), true);
        if (output.GetText("text/html") is { } html)
        {
            // A chart that carried plotly.js inline: the page keeps one copy (the first met, unless one was given).
            var inline = InlinePlotlyJs().Match(html);
            if (inline.Success)
            {
                plotlyJs ??= inline.Groups["js"].Value;
                html = InlinePlotlyJs().Replace(html, "");
            }
            return ($"<div class=\"output\">{html}</div>", inline.Success || html.Contains("Plotly.newPlot", StringComparison.Ordinal));
        }
        if (output.GetText("image/png") is { } png)
            return ($"<div class=\"output\"><img src=\"data:image/png;base64,{png.Trim()}\" alt=\"image output\"></div>", false);
        return ($"<div class=\"output\"><pre>{WebUtility.HtmlEncode(output.GetText("text/plain") ?? "")}</pre></div>", false);
    }

    /// <summary>
    /// The figure as a JSON object: stored as one (the kit's engine, Jupyter), as JSON text (Jupyter's .NET kernel), or as
    /// text split into lines (dotnet-repl writes every MIME type that way). Null when it is none of these.
    /// </summary>
    static JsonObject? Figure(JsonNode? stored)
    {
        string? text = stored switch
        {
            JsonObject o => o.ToJsonString(),
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonArray lines when lines.All(l => l is JsonValue v && v.TryGetValue<string>(out _)) => string.Concat(lines.Select(l => (string)l!)),
            _ => null,
        };
        try { return text is null ? null : JsonNode.Parse(text) as JsonObject; }
        catch (System.Text.Json.JsonException) { return null; }
    }

    /// <summary>The chart's image, replaced by the interactive chart when plotly.js runs.</summary>
    static string Chart(JsonObject figure, string? png)
    {
        var id = "peftkit-chart-" + Guid.NewGuid().ToString("N")[..12];
        var json = figure.ToJsonString();
        var image = png is null
            ? "<p><i>This chart is drawn by plotly.js, which this page could not run.</i></p>"
            : $"<img src=\"data:image/png;base64,{png.Trim()}\" alt=\"chart\">";
        return $$"""
            <div class="output"><div id="{{id}}" class="peftkit-plotly">{{image}}</div>
            <script type="text/javascript">
            (function () {
              if (typeof Plotly === 'undefined') return; // the image stays
              var figure = {{json.Replace("</", "<\\/", StringComparison.Ordinal)}};
              var el = document.getElementById('{{id}}');
              el.innerHTML = '';
              Plotly.newPlot(el, figure.data, figure.layout || {}, figure.config || {});
            })();
            </script></div>
            """;
    }

    [GeneratedRegex(@"<script type=""text/javascript"">/\* peftkit:plotly\.js \*/\n(?<js>.*?)\n</script>\n?", RegexOptions.Singleline)]
    private static partial Regex InlinePlotlyJs();
}
