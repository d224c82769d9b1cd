using System.Globalization;
using PeftKit.Reporting;

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
    public static string Html(IEnumerable<GenerationResult> runs) => HtmlTable.Of(Headers, Cells(runs), leftColumns: 2);

    /// <summary>Sample generations as an HTML table: source (start), reference, generated, token F1.</summary>
    public static string SamplesHtml(IEnumerable<GenerationSample> samples, int sourceChars = 160)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var rows = samples.Select(x => (IReadOnlyList<string>)
        [
            x.Prompt.Length > sourceChars ? x.Prompt[..sourceChars] + "…" : x.Prompt,
            x.Reference, x.Generated, x.TokenF1.ToString("F2", CultureInfo.InvariantCulture),
        ]);
        return HtmlTable.Of(["email body (start)", "reference subject", "generated", "token F1"], rows, leftColumns: 3, cssClass: "peftkit-samples");
    }
}
