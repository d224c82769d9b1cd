using System.Globalization;
using System.Net;
using System.Text;

namespace PeftKit.Experiments;

/// <summary>A results table of <see cref="GenerationResult"/>s as HTML, for notebooks.</summary>
public static class GenerationTable
{
    static readonly string[] Headers =
        ["run", "method", "seed", "trainable", "saved values", "adapter bytes", "dev loss", "test loss", "test ppl", "test token F1", "test exact", "step ms", "seconds"];

    /// <summary>Column headers, in order.</summary>
    public static IReadOnlyList<string> Columns => Headers;

    /// <summary>The rows' cells as text, in <see cref="Columns"/> order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cells(IEnumerable<GenerationResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        return [.. runs.Select(r => (IReadOnlyList<string>)
        [
            r.Label, r.Method, r.Seed.ToString(c),
            r.TrainableParameters.ToString("N0", c), r.SavedParameters.ToString("N0", c), r.AdapterBytes.ToString("N0", c),
            r.Dev.Loss.ToString("F3", c), r.Test.Loss.ToString("F3", c), r.Test.Perplexity.ToString("F1", c),
            r.Test.TokenF1.ToString("F3", c), r.Test.ExactMatch.ToString("F3", c),
            r.StepMsMedian.ToString("F1", c), r.Seconds.ToString("F1", c),
        ])];
    }

    /// <summary>An HTML &lt;table&gt;; numeric columns right-aligned.</summary>
    public static string Html(IEnumerable<GenerationResult> runs)
    {
        var s = new StringBuilder("<table class=\"peftkit-results\"><thead><tr>");
        foreach (var h in Headers) s.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
        s.Append("</tr></thead><tbody>");
        foreach (var row in Cells(runs))
        {
            s.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
                s.Append(i < 2 ? "<td style=\"text-align:left\">" : "<td style=\"text-align:right\">").Append(WebUtility.HtmlEncode(row[i])).Append("</td>");
            s.Append("</tr>");
        }
        return s.Append("</tbody></table>").ToString();
    }

    /// <summary>Sample generations as an HTML table: source (start), reference, generated, token F1.</summary>
    public static string SamplesHtml(IEnumerable<GenerationSample> samples, int sourceChars = 160)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var s = new StringBuilder("<table class=\"peftkit-samples\"><thead><tr><th>email body (start)</th><th>reference subject</th><th>generated</th><th>token F1</th></tr></thead><tbody>");
        foreach (var x in samples)
        {
            var source = x.Prompt.Length > sourceChars ? x.Prompt[..sourceChars] + "…" : x.Prompt;
            s.Append("<tr><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(source))
             .Append("</td><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(x.Reference))
             .Append("</td><td style=\"text-align:left\">").Append(WebUtility.HtmlEncode(x.Generated))
             .Append("</td><td style=\"text-align:right\">").Append(x.TokenF1.ToString("F2", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }
        return s.Append("</tbody></table>").ToString();
    }
}
