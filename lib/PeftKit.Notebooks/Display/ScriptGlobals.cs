using PeftKit.Notebooks.Execution;

namespace PeftKit.Notebooks.Display;

/// <summary>The globals object of every notebook script: its members are callable from cells without a using.</summary>
public class ScriptGlobals
{
    internal KernelSession Session { get; }

    internal ScriptGlobals(KernelSession session) => Session = session;

    /// <summary>Displays <paramref name="value"/> now (formatted for <paramref name="mimeTypes"/>, or the preferred ones).</summary>
    /// <returns>A handle whose <see cref="DisplayHandle.Update"/> replaces this output.</returns>
#pragma warning disable IDE1006 // lower-case names are the Polyglot API
    public DisplayHandle display(object? value, params string[] mimeTypes) => Session.Display(value, mimeTypes);

    /// <summary>Wraps raw markup so that it is displayed as <c>text/html</c>.</summary>
    public HtmlString HTML(string html) => new(html);
#pragma warning restore IDE1006
}
