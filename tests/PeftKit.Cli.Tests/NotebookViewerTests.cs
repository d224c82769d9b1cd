using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PeftKit.Cli.Tests;

/// <summary>
/// The committed notebooks where they are read rather than run: viewers that run no scripts (GitHub, nbviewer, LMS
/// previews; nbconvert's HTML with its scripts removed stands in for them) must show every chart, and the kit's own HTML
/// export must typeset the math and draw every chart, in a real browser.
/// </summary>
public sealed partial class NotebookViewerTests
{
    public static TheoryData<string> Notebooks() => [.. NotebookRuns.Names];

    static JsonObject Committed(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "notebooks", name)))!.AsObject();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void EveryCommittedChartCarriesItsImage(string name)
    {
        var outputs = Cells.Outputs(Committed(name)).ToList();
        var charts = outputs.Where(ChartOutputs.IsChart).ToList();
        Assert.True(charts.Count > 0, $"{name} has no chart output (Plotly's MIME type); re-run it with `kit run --inplace`.");
        foreach (var chart in charts)
        {
            ChartOutputs.AssertDrawn(chart, name);
            // The kit's engine stores the figure as JSON, as Jupyter does and its renderers expect (not as text).
            Assert.IsType<JsonObject>(chart["data"]![ChartOutputs.PlotlyMimeType]);
        }
        ChartOutputs.AssertNoInlinePlotlyJs(outputs, name);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void NbconvertWithoutScriptsShowsEveryChart(string name)
    {
        var folder = Directory.CreateTempSubdirectory("peftkit-nbconvert-").FullName;
        var (exit, log) = Tool.Run("/usr/bin/jupyter", ["nbconvert", "--to", "html", "--output-dir", folder, Path.Combine(Repo.Root, "notebooks", name)],
            folder, TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"nbconvert --to html exited {exit}:\n{log}");
        var html = Scripts().Replace(File.ReadAllText(Path.Combine(folder, Path.ChangeExtension(name, ".html"))), "");
        int charts = Cells.Outputs(Committed(name)).Count(ChartOutputs.IsChart);
        Assert.True(charts > 0, $"{name} has no chart output.");
        Assert.Equal(charts, Regex.Count(html, "<img src=\"data:image/png;base64,"));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public void ExportedLoraPageTypesetsItsMathAndDrawsEveryChart()
    {
        const string name = "06-lora.ipynb";
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "pages");
        Directory.CreateDirectory(folder);
        var page = Path.Combine(folder, "06-lora.html");
        var (exit, stdout, stderr) = Kit.Run("export", Path.Combine(Repo.Root, "notebooks", name), "--to", "html", "--output", page);
        Assert.True(exit == 0, $"kit export exited {exit}:\n{stdout}\n{stderr}");
        var html = File.ReadAllText(page);
        Assert.Single(Regex.Matches(html, Regex.Escape(ChartOutputs.PlotlyJsMarker)));

        var view = Browser.Look(page);
        Assert.True(view.RawMath.Length == 0, $"raw TeX delimiters in the page's text: {string.Join(" ", view.RawMath)}");
        Assert.True(view.Katex > 0, "no equation was typeset");
        int charts = Cells.Outputs(Committed(name)).Count(ChartOutputs.IsChart);
        Assert.Equal(charts, view.Charts);
        Assert.Equal(charts, view.DrawnCharts); // plotly.js drew each one (an SVG), replacing its image
        Browser.Screenshot(page, Path.Combine(folder, "06-lora.png"));
    }

    [GeneratedRegex(@"<script\b.*?</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex Scripts();
}
