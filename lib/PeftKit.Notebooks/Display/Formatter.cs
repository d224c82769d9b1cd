using PeftKit.Notebooks.Display;
using PeftKit.Notebooks.Execution;

namespace Microsoft.DotNet.Interactive.Formatting;

/// <summary>
/// Source-compatible stand-in for .NET Interactive's <c>Formatter</c>, so notebooks written for Polyglot compile
/// unchanged. Registrations apply to the notebook that is running (reset for every notebook).
/// </summary>
public static class Formatter
{
    static FormatterRegistry Registry => KernelSession.Active?.Formatter ?? Fallback;
    static readonly FormatterRegistry Fallback = new();

    /// <summary>How many items of a sequence the default formatters show.</summary>
    public static int ListExpansionLimit
    {
        get => Registry.ListExpansionLimit;
        set => Registry.ListExpansionLimit = value;
    }

    /// <summary>Registers a formatter returning the text for <paramref name="mimeType"/>.</summary>
    public static void Register<T>(Func<T, string> formatter, string mimeType = FormatterRegistry.Plain) =>
        Registry.Register(typeof(T), (o, w) => w.Write(formatter((T)o)), mimeType);

    /// <summary>Registers a formatter writing the text for <paramref name="mimeType"/>.</summary>
    public static void Register<T>(Action<T, TextWriter> formatter, string mimeType = FormatterRegistry.Plain) =>
        Registry.Register(typeof(T), (o, w) => formatter((T)o, w), mimeType);

    /// <summary>Registers a formatter for a type known at run time (an open generic type matches its instances).</summary>
    public static void Register(Type type, Action<object, TextWriter> formatter, string mimeType = FormatterRegistry.Plain) =>
        Registry.Register(type, formatter, mimeType);

    /// <summary>Sets the MIME types displayed for values of <paramref name="type"/> (and types derived from it).</summary>
    public static void SetPreferredMimeTypesFor(Type type, params string[] preferredMimeTypes) =>
        Registry.SetPreferredMimeTypes(type, preferredMimeTypes);

    /// <summary>Forgets every registration and preference.</summary>
    public static void ResetToDefault() => Registry.Reset();

    /// <summary>Formats a value as <paramref name="mimeType"/> the way a display would.</summary>
    public static string ToDisplayString(this object? value, string mimeType = FormatterRegistry.Plain) => Registry.FormatAs(value, mimeType);
}
