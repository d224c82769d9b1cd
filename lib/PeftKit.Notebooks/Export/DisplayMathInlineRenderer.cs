using Markdig.Extensions.Mathematics;
using Markdig.Renderers;
using Markdig.Renderers.Html;

namespace PeftKit.Notebooks.Export;

/// <summary>
/// Writes <c>$$…$$</c> inside a paragraph as display math (<c>\[…\]</c>), as Jupyter, VS Code and GitHub show it; Markdig's
/// own renderer writes every inline formula as <c>\(…\)</c>, which would shrink the notebooks' key equations to text size.
/// </summary>
internal sealed class DisplayMathInlineRenderer : HtmlObjectRenderer<MathInline>
{
    protected override void Write(HtmlRenderer renderer, MathInline math)
    {
        bool display = math.DelimiterCount >= 2;
        renderer.Write(display ? "<span class=\"math\">\\[" : "<span class=\"math\">\\(");
        renderer.WriteEscape(ref math.Content);
        renderer.Write(display ? "\\]</span>" : "\\)</span>");
    }
}
