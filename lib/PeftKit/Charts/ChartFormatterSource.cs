namespace PeftKit.Charts;

/// <summary>
/// Shows a <see cref="Chart"/> in the .NET Interactive kernel and in the kit's notebook engine, without referencing
/// either: both look for an attribute named <c>TypeFormatterSourceAttribute</c> on the value's type and use the
/// formatters its source creates, matched by member names (the kernel's "convention-based formatter sources").
/// A chart becomes one output with two forms (<see cref="MimeTypes"/>): Plotly's own MIME type, which VS Code and
/// JupyterLab draw interactively with their built-in plotly.js, and a PNG of the same drawing that every other viewer
/// shows (GitHub, nbviewer, nbconvert). Where no browser can draw the PNG, the second form is HTML that draws the chart
/// with plotly.js, which goes into the first chart of a session only (a host creates one source per session).
/// </summary>
internal sealed class ChartFormatterSource
{
    /// <summary>Plotly's MIME type: the figure JSON (<c>{"data": …, "layout": …}</c>), drawn by the viewer's plotly.js.</summary>
    public const string PlotlyMimeType = "application/vnd.plotly.v1+json";
    public const string PngMimeType = "image/png";
    public const string HtmlMimeType = "text/html";

    /// <summary>The forms of every chart output, read once per session by the host (see <see cref="TypeFormatterSourceAttribute"/>).</summary>
    public static string[] MimeTypes => ChartImage.FindBrowser() is null ? [PlotlyMimeType, HtmlMimeType] : [PlotlyMimeType, PngMimeType];

    /// <summary>Called by the host, by name.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new ChartFigureFormatter(), new ChartPngFormatter(), new ChartHtmlFormatter()];
}

/// <summary>The chart as Plotly's figure JSON (members read by name, as every formatter here).</summary>
internal sealed class ChartFigureFormatter
{
    public string MimeType => ChartFormatterSource.PlotlyMimeType;

    public Type Type => typeof(Chart);

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Chart chart) return false;
        writer.Write(chart.ToFigureJson());
        return true;
    }
}

/// <summary>The chart as a base64 PNG (<see cref="ChartImage"/>), the way nbformat stores images.</summary>
internal sealed class ChartPngFormatter
{
    public string MimeType => ChartFormatterSource.PngMimeType;

    public Type Type => typeof(Chart);

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Chart chart) return false;
        writer.Write(Convert.ToBase64String(ChartImage.Png(chart)));
        return true;
    }
}

/// <summary>The chart as HTML that draws it with plotly.js, carried by the first chart of a session.</summary>
internal sealed class ChartHtmlFormatter
{
    readonly Lock gate = new();
    bool plotlyJsWritten;

    public string MimeType => ChartFormatterSource.HtmlMimeType;

    public Type Type => typeof(Chart);

    public bool Format(object instance, TextWriter writer)
    {
        if (instance is not Chart chart) return false;
        lock (gate)
        {
            writer.Write(chart.ToHtml(includePlotlyJs: !plotlyJsWritten));
            plotlyJsWritten = true;
        }
        return true;
    }
}
