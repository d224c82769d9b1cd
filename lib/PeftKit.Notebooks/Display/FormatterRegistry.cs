using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;

namespace PeftKit.Notebooks.Display;

/// <summary>
/// One notebook's formatting state: registered formatters per (type, MIME type), preferred MIME types per type,
/// and the list expansion limit. Formats values into MIME bundles; the most specific registered type wins.
/// Like the .NET Interactive kernel, it also honours "convention-based formatter sources": an attribute named
/// <c>TypeFormatterSourceAttribute</c> on a type, from any assembly, whose source's formatters are read by member name
/// (how PeftKit's charts show in both hosts without referencing either).
/// </summary>
internal sealed class FormatterRegistry
{
    public const string Html = "text/html";
    public const string Plain = "text/plain";
    public const int DefaultListExpansionLimit = 20;

    readonly ConcurrentDictionary<(Type Type, string Mime), Action<object, TextWriter>> formatters = new();
    readonly ConcurrentDictionary<Type, string[]> preferred = new();
    readonly ConcurrentDictionary<Type, bool> conventionChecked = new();

    /// <summary>Set when a chart has already emitted plotly.js into this notebook.</summary>
    public bool PlotlyScriptEmitted { get; set; }

    public int ListExpansionLimit { get; set; } = DefaultListExpansionLimit;

    public void Register(Type type, Action<object, TextWriter> formatter, string mimeType) => formatters[(type, mimeType)] = formatter;

    public void SetPreferredMimeTypes(Type type, string[] mimeTypes) => preferred[type] = mimeTypes;

    public void Reset()
    {
        formatters.Clear();
        preferred.Clear();
        conventionChecked.Clear();
        ListExpansionLimit = DefaultListExpansionLimit;
    }

    /// <summary>Formats a value: the requested MIME types, else the preferred ones for its type, else the defaults.</summary>
    public List<KeyValuePair<string, string>> Format(object? value, string[]? mimeTypes)
    {
        if (value is not null) RegisterFromConvention(value.GetType());
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
            RegisterFromConvention(value.GetType());
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

    /// <summary>
    /// Registers the formatters named by <paramref name="type"/>'s <c>TypeFormatterSourceAttribute</c> (matched by class
    /// name, as the kernel does): the source's <c>CreateTypeFormatters()</c> yields objects with <c>MimeType</c>, an
    /// optional <c>Type</c>, and <c>bool Format(object, TextWriter)</c>. Formatters registered by the notebook win.
    /// Once per type and notebook, so a source's state (e.g. "plotly.js already written") lasts one notebook.
    /// </summary>
    void RegisterFromConvention(Type type)
    {
        if (!conventionChecked.TryAdd(type, true))
            return;
        foreach (var attribute in type.GetCustomAttributes(inherit: true).Where(a => a.GetType().Name == "TypeFormatterSourceAttribute"))
        {
            if (attribute.GetType().GetProperty("FormatterSourceType")?.GetValue(attribute) is not Type sourceType)
                continue;
            var source = Activator.CreateInstance(sourceType, nonPublic: true)
                ?? throw new InvalidOperationException($"The formatter source {sourceType} of {type} could not be created.");
            if (sourceType.GetMethod("CreateTypeFormatters", Type.EmptyTypes)?.Invoke(source, null) is not IEnumerable created)
                continue;
            foreach (var formatter in created)
            {
                var members = formatter.GetType();
                if (members.GetProperty("MimeType")?.GetValue(formatter) is not string mime ||
                    members.GetMethod("Format", [typeof(object), typeof(TextWriter)]) is not { } format)
                    continue;
                var target = members.GetProperty("Type")?.GetValue(formatter) as Type ?? type;
                formatters.TryAdd((target, mime), (value, writer) =>
                {
                    try { format.Invoke(formatter, [value, writer]); }
                    catch (TargetInvocationException e) when (e.InnerException is not null) { System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException); }
                });
            }
            if (attribute.GetType().GetProperty("PreferredMimeTypes")?.GetValue(attribute) is string[] { Length: > 0 } mimes)
                preferred.TryAdd(type, mimes);
        }
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
