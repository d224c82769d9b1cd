using System.Globalization;
using System.Text;
using PeftKit.Reporting;

namespace PeftKit.Experiments;

/// <summary>A results table of <see cref="RunResult"/>s as HTML (notebooks) or Markdown (reports, README).</summary>
public static class ExperimentTable
{
    static readonly string[] Headers =
        ["run", "method", "base", "trainable", "trainable %", "dev acc", "test acc", "best step", "step ms", "seconds", "peak +MiB", "adapter bytes"];

    /// <summary>Column headers, in order.</summary>
    public static IReadOnlyList<string> Columns => Headers;

    /// <summary>The rows' cells as text, in <see cref="Columns"/> order.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Cells(IEnumerable<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var c = CultureInfo.InvariantCulture;
        return [.. runs.Select(r => (IReadOnlyList<string>)
        [
            r.Label, r.Method, r.BaseName,
            r.TrainableParameters.ToString("N0", c),
            r.TrainablePercent.ToString(r.TrainablePercent >= 1 ? "F1" : "F3", c),
            r.DevAccuracy.ToString("F3", c),
            r.TestAccuracy.ToString("F3", c),
            r.BestStep.ToString(c),
            r.StepMsMedian.ToString("F1", c),
            r.Seconds.ToString("F1", c),
            (r.PeakIncreaseBytes / 1048576.0).ToString("F0", c),
            r.AdapterBytes.ToString("N0", c),
        ])];
    }

    /// <summary>An HTML &lt;table&gt;; numeric columns right-aligned.</summary>
    public static string Html(IEnumerable<RunResult> runs) => HtmlTable.Of(Headers, Cells(runs), leftColumns: 3);

    /// <summary>A GitHub-flavoured Markdown table.</summary>
    public static string Markdown(IEnumerable<RunResult> runs)
    {
        var s = new StringBuilder();
        s.Append("| ").Append(string.Join(" | ", Headers)).Append(" |\n");
        s.Append("|").Append(string.Join("|", Headers.Select((_, i) => i < 3 ? "---" : "---:"))).Append("|\n");
        foreach (var row in Cells(runs))
            s.Append("| ").Append(string.Join(" | ", row.Select(v => v.Replace("|", "\\|")))).Append(" |\n");
        return s.ToString();
    }
}
