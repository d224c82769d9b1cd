using System.Net;
using System.Text;
using Markdig;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Exports a notebook as one standalone HTML page: markdown rendered with Markdig, code highlighted, outputs inline.
/// Chart outputs carry plotly.js inline once per notebook (see <see cref="Display.PlotlyFormatting"/>), so the page
/// renders offline.
/// </summary>
public static class HtmlExporter
{
    static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    const string Style = """
        body { font-family: system-ui, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
        pre { background: #f6f8fa; padding: .7em; overflow-x: auto; border-radius: 4px; }
        .cell { margin: 1.2em 0; } .prompt { color: #888; font-size: .8em; }
        .output pre { background: #fff; border-left: 3px solid #ddd; } .stderr pre, .error pre { border-left-color: #d33; color: #a00; }
        table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 8px; }
        .tok-comment { color: #6a737d; } .tok-string { color: #032f62; } .tok-keyword { color: #d73a49; }
        .tok-number { color: #005cc5; } .tok-directive { color: #6f42c1; }
        """;

    /// <summary>The page for <paramref name="notebook"/>; <paramref name="title"/> goes in the &lt;title&gt;.</summary>
    public static string Export(Notebook notebook, string title)
    {
        var sb = new StringBuilder();
        sb.Append($"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{WebUtility.HtmlEncode(title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>\n");
        foreach (var cell in notebook.Cells)
        {
            sb.Append("<div class=\"cell\">\n");
            if (cell.Type == CellType.Markdown)
                sb.Append(Markdown.ToHtml(cell.Source, Pipeline));
            else if (cell.Type == CellType.Raw)
                sb.Append($"<pre>{WebUtility.HtmlEncode(cell.Source)}</pre>");
            else
            {
                sb.Append($"<div class=\"prompt\">[{cell.ExecutionCount?.ToString() ?? " "}]</div>\n");
                sb.Append($"<pre><code class=\"language-csharp\">{CSharpHighlighter.ToHtml(cell.Source)}</code></pre>\n");
                foreach (var output in cell.Outputs)
                    sb.Append(Output(output)).Append('\n');
            }
            sb.Append("</div>\n");
        }
        return sb.Append("</body>\n</html>\n").ToString();
    }

    static string Output(CellOutput output) => output.Kind switch
    {
        OutputKind.Stream => $"<div class=\"output {output.StreamName}\"><pre>{WebUtility.HtmlEncode(output.Text)}</pre></div>",
        OutputKind.Error => $"<div class=\"output error\"><pre>{WebUtility.HtmlEncode(string.Join("\n", output.Traceback.Count > 0 ? output.Traceback : [$"{output.EName}: {output.EValue}"]))}</pre></div>",
        _ => output.GetText("text/html") is { } html ? $"<div class=\"output\">{html}</div>"
            : $"<div class=\"output\"><pre>{WebUtility.HtmlEncode(output.GetText("text/plain") ?? "")}</pre></div>",
    };
}
