using System.Collections.Concurrent;

namespace PeftKit.Notebooks.Display;

/// <summary>
/// One notebook's formatting state: registered formatters per (type, MIME type), preferred MIME types per type,
/// and the list expansion limit. Formats values into MIME bundles; the most specific registered type wins.
/// </summary>
internal sealed class FormatterRegistry
{
    public const string Html = "text/html";
    public const string Plain = "text/plain";
    public const int DefaultListExpansionLimit = 20;

    readonly ConcurrentDictionary<(Type Type, string Mime), Action<object, TextWriter>> formatters = new();
    readonly ConcurrentDictionary<Type, string[]> preferred = new();

    /// <summary>Set when a chart has already emitted plotly.js into this notebook.</summary>
    public bool PlotlyScriptEmitted { get; set; }

    public int ListExpansionLimit { get; set; } = DefaultListExpansionLimit;

    public void Register(Type type, Action<object, TextWriter> formatter, string mimeType) => formatters[(type, mimeType)] = formatter;

    public void SetPreferredMimeTypes(Type type, string[] mimeTypes) => preferred[type] = mimeTypes;

    public void Reset()
    {
        formatters.Clear();
        preferred.Clear();
        ListExpansionLimit = DefaultListExpansionLimit;
    }

    /// <summary>Formats a value: the requested MIME types, else the preferred ones for its type, else the defaults.</summary>
    public List<KeyValuePair<string, string>> Format(object? value, string[]? mimeTypes)
    {
        var mimes = mimeTypes is { Length: > 0 } ? mimeTypes : PreferredFor(value);
        return mimes.Select(m => new KeyValuePair<string, string>(m, FormatAs(value, m))).ToList();
    }

    string[] PreferredFor(object? value)
    {
        if (value is null)
            return [Plain];
        foreach (var type in Specificity(value.GetType()))
            if (preferred.TryGetValue(type, out var mimes))
                return mimes;
        return value switch
        {
            string => [Plain],
            HtmlString => [Html],
            _ when PlotlyFormatting.IsChart(value) => [Html],
            _ => [Html, Plain],
        };
    }

    public string FormatAs(object? value, string mime)
    {
        if (value is not null)
        {
            foreach (var type in Specificity(value.GetType()))
            {
                if (formatters.TryGetValue((type, mime), out var f) ||
                    (type.IsGenericType && formatters.TryGetValue((type.GetGenericTypeDefinition(), mime), out f)))
                {
                    using var writer = new StringWriter();
                    f(value, writer);
                    return writer.ToString();
                }
            }
        }
        return mime == Html ? DefaultFormatting.Html(value, this) : DefaultFormatting.Plain(value, ListExpansionLimit);
    }

    /// <summary>The type, its base classes (most derived first), its interfaces, then object.</summary>
    static IEnumerable<Type> Specificity(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            yield return t;
        foreach (var i in type.GetInterfaces())
            yield return i;
        yield return typeof(object);
    }
}
