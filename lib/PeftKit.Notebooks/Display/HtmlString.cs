namespace PeftKit.Notebooks.Display;

/// <summary>Raw HTML, displayed as <c>text/html</c> as it is (what <c>HTML("...")</c> returns).</summary>
/// <param name="Html">The markup.</param>
public sealed record HtmlString(string Html)
{
    /// <summary>The markup.</summary>
    public override string ToString() => Html;
}
