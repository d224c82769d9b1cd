using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PeftKit.Cli.Tests;

/// <summary>
/// A verdict that a paper's finding holds must show the numbers that justify it. In the committed notebooks, every
/// findings-table row whose verdict starts "Yes" or "Reproduces", and every markdown cell that says in bold that a
/// finding reproduces, must cite a statistic (a 95% interval, McNemar's test, a standard error, a ± spread over seeds) or
/// an exact check (bit for bit, by construction). A single run called a reproduction fails here.
/// </summary>
public sealed partial class NotebookVerdictTests
{
    static readonly string[] Evidence = ["95%", "McNemar", "standard error", "±", "bit for bit", "by construction", "exactly"];

    /// <summary>The verdicts of <paramref name="markdown"/> that claim a finding holds and cite nothing: table rows, or the
    /// bold "reproduces" sentences whose paragraph cites nothing.</summary>
    internal static IEnumerable<string> BareVerdicts(string markdown)
    {
        bool inFindings = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (!line.StartsWith('|')) { inFindings = false; continue; }
            if (line.Contains("reproduces here?", StringComparison.OrdinalIgnoreCase)) { inFindings = true; continue; }
            if (!inFindings || line.StartsWith("|---", StringComparison.Ordinal)) continue;
            var verdict = line.TrimEnd().TrimEnd('|').Split('|')[^1].Trim();
            if (ClaimsItHolds().IsMatch(verdict) && !Cites(line)) yield return line.Trim();
        }
        foreach (var paragraph in markdown.Split("\n\n"))
            foreach (Match bold in BoldReproduces().Matches(paragraph))
                if (!Cites(paragraph)) yield return bold.Value;
    }

    static bool Cites(string text) => Evidence.Any(e => text.Contains(e, StringComparison.OrdinalIgnoreCase));

    [Fact]
    public void EveryCommittedVerdictThatAFindingHoldsCitesItsStatistic()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb");
        var bare = new List<string>();
        int findingsTables = 0;
        foreach (var file in files)
        {
            var notebook = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            foreach (var cell in notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "markdown"))
            {
                var text = Cells.Source(cell);
                if (text.Contains("reproduces here?", StringComparison.OrdinalIgnoreCase)) findingsTables++;
                bare.AddRange(BareVerdicts(text).Select(v => $"{Path.GetFileName(file)}: {v[..Math.Min(v.Length, 160)]}"));
            }
        }
        Assert.True(findingsTables >= 5, $"found {findingsTables} findings tables; this test would hold nothing");
        Assert.True(bare.Count == 0, "verdicts that say a finding holds without the statistic that shows it:\n" + string.Join("\n", bare));
    }

    [Theory]
    [InlineData("| finding | we measured | reproduces here? |\n|---|---|---|\n| A beats B | 0.90 vs 0.78 | **Yes** — 12 points |", 1)]
    [InlineData("| finding | we measured | reproduces here? |\n|---|---|---|\n| A beats B | 0.90 vs 0.78 | **Yes** — about five standard errors of a difference |", 0)]
    [InlineData("| finding | we measured | reproduces here? |\n|---|---|---|\n| A beats B | one seed | **Direction only, one seed** |", 0)]
    [InlineData("**Our result — reproduces.** LoRA scored 0.81 and full fine-tuning 0.82.", 1)]
    [InlineData("**Our result — reproduces.** The 95% interval of the gap is −0.5 to +1.1 points.", 0)]
    [InlineData("| a | b |\n|---|---|\n| **Yes** | no findings header above |", 0)]
    [InlineData("**Our result — reproduces.** LoRA scored 0.81.\n\n## Next\n\nThe logits must match bit for bit.", 1)]
    public void AVerdictWithoutItsNumbersIsFound(string markdown, int bare) =>
        Assert.Equal(bare, BareVerdicts(markdown).Count());

    [GeneratedRegex(@"^\*\*(yes|reproduces)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ClaimsItHolds();

    [GeneratedRegex(@"\*\*[^*\n]*\breproduce[sd]?\b[^*\n]*\*\*", RegexOptions.IgnoreCase)]
    private static partial Regex BoldReproduces();
}
