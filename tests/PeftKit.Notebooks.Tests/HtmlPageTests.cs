using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PeftKit.Notebooks.Display;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

/// <summary>
/// Chart outputs (Plotly's MIME type plus a PNG) as the engine stores them and as the HTML export shows them; the
/// export's math. The browser's view of a real page is tested on the committed notebooks (PeftKit.Cli.Tests).
/// </summary>
public class HtmlPageTests
{
    const string Figure = """{"data":[{"type":"scatter","x":[1,2],"y":[3,4]}],"layout":{"title":{"text":"t"}}}""";
    const string Png = "iVBORw0KGgo="; // base64 of the PNG signature: enough for the page, which does not decode it

    static CellOutput ChartOutput() => CellOutput.Display([new(HtmlExporter.PlotlyMimeType, Figure), new("image/png", Png)]);

    static Notebook WithCells(params NotebookCell[] cells) => new() { Cells = [.. cells] };

    static NotebookCell Code(params CellOutput[] outputs) => new() { Type = CellType.Code, Source = "chart", ExecutionCount = 1, Outputs = [.. outputs] };

    static NotebookCell Markdown(string text) => new() { Type = CellType.Markdown, Source = text };

    [Fact]
    public void FigureIsStoredAsJsonAndTheImageAsOneString()
    {
        var json = JsonNode.Parse(NotebookWriter.ToJson(WithCells(Code(ChartOutput()))))!;
        var data = json["cells"]![0]!["outputs"]![0]!["data"]!;
        Assert.IsType<JsonObject>(data[HtmlExporter.PlotlyMimeType]); // Jupyter's renderers read an object, not text
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Figure), data[HtmlExporter.PlotlyMimeType]));
        Assert.Equal(Png, (string?)data["image/png"]); // one string, as Jupyter writes images (VS Code decodes only that)

        var back = NotebookReader.Read(NotebookWriter.ToJson(WithCells(Code(ChartOutput()))), "round trip").Cells[0].Outputs[0];
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Figure), back.Data[HtmlExporter.PlotlyMimeType]));
        Assert.Equal(Png, back.GetText("image/png"));
    }

    [Fact]
    public void FormatterThatWritesInvalidJsonForAJsonMimeTypeIsNamed()
    {
        var e = Assert.Throws<InvalidOperationException>(() => CellOutput.Display([new(HtmlExporter.PlotlyMimeType, "{not json")]));
        Assert.Contains(HtmlExporter.PlotlyMimeType, e.Message);
    }

    [Fact]
    public void PageCarriesPlotlyJsOnceAndEachChartItsImage()
    {
        var page = HtmlExporter.Export(WithCells(Code(ChartOutput()), Code(ChartOutput())), "two charts", plotlyJs: "var Plotly = {};");
        Assert.Single(Regex.Matches(page, Regex.Escape(PlotlyFormatting.ScriptMarker)));
        Assert.Equal(2, Regex.Count(page, Regex.Escape($"<img src=\"data:image/png;base64,{Png}\"")));
        Assert.Equal(2, Regex.Count(page, "class=\"peftkit-plotly\""));
    }

    [Fact]
    public void PageWithoutPlotlyJsKeepsTheImages()
    {
        var page = HtmlExporter.Export(WithCells(Code(ChartOutput())), "no plotly.js");
        Assert.DoesNotContain(PlotlyFormatting.ScriptMarker, page);
        Assert.Contains($"<img src=\"data:image/png;base64,{Png}\"", page);
    }

    [Fact]
    public void FigureStoredAsTextOrLinesIsDrawnToo()
    {
        // Jupyter's .NET kernel sends JSON MIME types as text; dotnet-repl writes them as an array of lines.
        var asText = new CellOutput { Kind = OutputKind.DisplayData, Data = new() { [HtmlExporter.PlotlyMimeType] = JsonValue.Create(Figure) } };
        var asLines = new CellOutput { Kind = OutputKind.DisplayData, Data = new() { [HtmlExporter.PlotlyMimeType] = new JsonArray(Figure[..20], Figure[20..]) } };
        var page = HtmlExporter.Export(WithCells(Code(asText), Code(asLines)), "stored as text", plotlyJs: "var Plotly = {};");
        Assert.Equal(2, Regex.Count(page, Regex.Escape($"var figure = {JsonNode.Parse(Figure)!.ToJsonString()};")));
    }

    [Fact]
    public void InlinePlotlyJsOfOlderOutputsMovesToThePageOnce()
    {
        string Inline(string id) => $"<script type=\"text/javascript\">{PlotlyFormatting.ScriptMarker}\nvar Plotly = {{}};\n</script>\n<div id=\"{id}\" class=\"peftkit-plotly\"></div><script>Plotly.newPlot('{id}', [], {{}});</script>";
        var older = WithCells(Code(CellOutput.Display([new("text/html", Inline("a"))])), Code(CellOutput.Display([new("text/html", Inline("b"))])));
        var page = HtmlExporter.Export(older, "older");
        Assert.Single(Regex.Matches(page, Regex.Escape(PlotlyFormatting.ScriptMarker)));
        Assert.True(page.IndexOf(PlotlyFormatting.ScriptMarker, StringComparison.Ordinal) < page.IndexOf("<body>", StringComparison.Ordinal));
    }

    [Fact]
    public void MathIsTypesetByAnInlineKatexOnlyWhereThereIsMath()
    {
        var page = HtmlExporter.Export(WithCells(Markdown("Inline $h = W_0 x$ and display:\n\n$$\\Delta W = BA$$\n")), "math");
        Assert.Contains("<span class=\"math\">\\(h = W_0 x\\)</span>", page);
        Assert.Contains("<span class=\"math\">\\[\\Delta W = BA\\]</span>", page); // $$…$$ in a paragraph is display math, as in Jupyter
        Assert.Contains("katex.render(", page);
        Assert.Contains("src:url(data:font/woff2;base64,", page); // fonts inline: the page needs no other file
        Assert.DoesNotContain("url(fonts/", page);

        var plain = HtmlExporter.Export(WithCells(Markdown("No math here, only $5 and $6.")), "plain");
        Assert.DoesNotContain("katex.render(", plain);
    }
}
