using System.Diagnostics;
using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Format;

namespace PeftKit.Notebooks.Tests;

/// <summary>Written notebooks and exported pages checked with the real tools (python3-nbformat, nbconvert, chromium).</summary>
public class ToolTests
{
    static (int Exit, string Output) Tool(string file, params string[] args)
    {
        if (!File.Exists(file))
            Assert.Fail($"{file} is missing: install it (apt-get install python3-nbformat jupyter-nbconvert chromium); CI installs them.");
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [Theory]
    [InlineData("polyglot.ipynb")]
    [InlineData("no-metadata.ipynb")]
    [InlineData("runtime-error.ipynb")]
    public async Task WrittenNotebookPassesNbformatAndNbconvert(string file)
    {
        var r = await Fixture.RunAsync(file);
        var dir = Fixture.CopyToTemp();
        var path = Path.Combine(dir, "out.ipynb");
        NotebookWriter.WriteFile(r.Notebook, path);
        var (exit, output) = Tool("/usr/bin/python3", "-c", "import nbformat,sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path);
        Assert.True(exit == 0, output);
        (exit, output) = Tool("/usr/bin/jupyter", "nbconvert", "--to", "html", "--output-dir", dir, path);
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(dir, "out.html")));
    }

    [Fact]
    public async Task ExportedHtmlRendersPlotlyChartOffline()
    {
        var r = await Fixture.RunAsync("chart.ipynb");
        Assert.True(r.Status == NotebookStatus.Succeeded, r.FirstError);
        var html = HtmlExporter.Export(r.Notebook, "chart");
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, System.Text.RegularExpressions.Regex.Escape(Display.PlotlyFormatting.ScriptMarker)));
        Assert.DoesNotContain("<script src=", html); // nothing fetched: plotly.js is inline
        var dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(dir);
        var page = Path.Combine(dir, "chart.html");
        File.WriteAllText(page, html);
        string[] common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + Path.Combine(Path.GetTempPath(), "peftkit-chromium-" + Guid.NewGuid().ToString("N"))];
        var (exit, dom) = Tool("/usr/bin/chromium", [.. common, "--virtual-time-budget=5000", "--dump-dom", "file://" + page]);
        Assert.True(exit == 0, dom);
        Assert.Contains("main-svg", dom);
        Tool("/usr/bin/chromium", [.. common, "--virtual-time-budget=5000", "--screenshot=" + Path.Combine(dir, "chart.png"), "--window-size=1000,800", "file://" + page]);
        Assert.True(File.Exists(Path.Combine(dir, "chart.png")));
    }
}
