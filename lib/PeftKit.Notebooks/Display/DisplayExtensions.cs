using PeftKit.Notebooks.Display;
using PeftKit.Notebooks.Execution;

namespace System;

/// <summary>Polyglot's display extension methods (namespace System, so cells need no using).</summary>
public static class DisplayExtensions
{
    /// <summary>Displays the value in the running notebook cell.</summary>
    public static DisplayHandle Display(this object? value, params string[] mimeTypes) => KernelSession.RequireActive().Display(value, mimeTypes);

    /// <summary>Displays text as the given MIME type, as it is (e.g. <c>"&lt;b&gt;x&lt;/b&gt;".DisplayAs("text/html")</c>).</summary>
    public static DisplayHandle DisplayAs(this string value, string mimeType) => KernelSession.RequireActive().DisplayRaw(value, mimeType);

    /// <summary>Displays a sequence as a table: one row per item, one column per public property (or a value column).</summary>
    public static DisplayHandle DisplayTable<T>(this IEnumerable<T> source)
    {
        var session = KernelSession.RequireActive();
        var items = source.Cast<object?>().ToList();
        return session.DisplayData([
            new("text/html", DefaultFormatting.Table(items, typeof(T))),
            new("text/plain", DefaultFormatting.Plain(items, session.Formatter.ListExpansionLimit)),
        ]);
    }
}
