namespace PeftKit.Charts;

/// <summary>
/// Shows a <see cref="Chart"/> as HTML in the .NET Interactive kernel and in the kit's notebook engine, without
/// referencing either: both look for an attribute named <c>TypeFormatterSourceAttribute</c> on the value's type and
/// use the formatters its source creates, matched by member names (the kernel's "convention-based formatter
/// sources"). A host creates one source per session, so plotly.js goes into the first chart of a notebook only.
/// </summary>
internal sealed class ChartFormatterSource
{
    /// <summary>Called by the host, by name.</summary>
    public IEnumerable<object> CreateTypeFormatters() => [new ChartHtmlFormatter()];
}

/// <summary>The text/html formatter a <see cref="ChartFormatterSource"/> hands out (members read by name).</summary>
internal sealed class ChartHtmlFormatter
{
    readonly Lock gate = new();
    bool plotlyJsWritten;

    public string MimeType => "text/html";

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

/// <summary>
/// Names a type's formatter source the way .NET Interactive reads it: by this class name and its two properties
/// (<c>FormatterSourceType</c>, <c>PreferredMimeTypes</c>), so PeftKit needs no reference to the kernel.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class TypeFormatterSourceAttribute(Type formatterSourceType) : Attribute
{
    public Type FormatterSourceType { get; } = formatterSourceType;

    public string[]? PreferredMimeTypes { get; set; }
}
