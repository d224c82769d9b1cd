using PeftKit.Charts;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Model;

namespace PeftKit.Cli.Charts;

/// <summary>
/// The kit's HTML export with the plotly.js that draws PeftKit's charts (from the PeftKit package: the notebook engine
/// references no plotting library), so exported charts stay interactive; without it they show their images.
/// </summary>
internal static class HtmlPage
{
    static readonly Lazy<string?> PlotlyJs = new(() =>
    {
        try { return Chart.PlotlyJs; }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"warning: charts in the page will be images only: {e.Message}");
            return null;
        }
    });

    /// <summary>The page for <paramref name="notebook"/> (see <see cref="HtmlExporter.Export"/>).</summary>
    internal static string Export(Notebook notebook, string title) =>
        HtmlExporter.Export(notebook, title, HasChart(notebook) ? PlotlyJs.Value : null);

    static bool HasChart(Notebook notebook) =>
        notebook.Cells.SelectMany(c => c.Outputs).Any(o => o.Data.ContainsKey(HtmlExporter.PlotlyMimeType));
}
