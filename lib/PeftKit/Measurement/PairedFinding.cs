using System.Globalization;
using PeftKit.Reporting;

namespace PeftKit.Measurement;

/// <summary>
/// One row group of a findings table: a named paired comparison of two arms and the verdict its claim gets. Prints as
/// "name: +0.32 points (95% CI …; per seed …) → reproduces"; <see cref="Table"/> lays several out one row per seed.
/// </summary>
/// <param name="Name">What is compared, first arm minus second ("LoRA − full fine-tuning").</param>
/// <param name="Gap">The paired comparison.</param>
/// <param name="Verdict">The verdict of the claim, from <see cref="SeededComparison.ForImprovement"/> or <see cref="SeededComparison.ForEquivalence"/>.</param>
public sealed record PairedFinding(string Name, SeededComparison Gap, Verdict Verdict)
{
    /// <summary>"name: gap (interval; per seed …) → verdict".</summary>
    public override string ToString() => $"{Name}: {Gap} → {Verdict.ToWords()}";

    /// <summary>
    /// One row per seed of each finding: its gap, the examples right only with the first arm and only with the second,
    /// McNemar's p, and the verdict on the finding's first row. A comparison without per-seed McNemar tests (a mean of
    /// per-example values, <see cref="SeededComparison.OfMeans"/>) shows "–" there.
    /// </summary>
    /// <param name="findings">The findings, in the order to show them.</param>
    /// <param name="examples">What an example is, plural, for the column headers ("e-mails", "words").</param>
    /// <exception cref="ArgumentException">The findings' gaps are in different units (points and nats).</exception>
    public static string Table(IEnumerable<PairedFinding> findings, string examples = "e-mails")
    {
        ArgumentNullException.ThrowIfNull(findings);
        var all = findings.ToList();
        var metrics = all.Select(f => f.Gap.Metric).Distinct().ToList();
        var units = all.Select(f => f.Gap.Unit).Distinct().ToList();
        if (units.Count > 1)
            throw new ArgumentException($"One findings table holds gaps in one unit; these are in {string.Join(" and ", units)}: make one table per unit.", nameof(findings));
        string gapOf = metrics.Count == 1 ? metrics[0] : "the metric";
        string unit = units.Count == 1 ? units[0] : SeededComparison.Points;
        return HtmlTable.Of(["comparison (first − second arm)", "seed", $"gap in {gapOf} ({unit})", $"test {examples} right only with the first arm",
            "right only with the second", "McNemar p", "verdict"], all.SelectMany(Rows), leftColumns: 2);
    }

    static IEnumerable<string[]> Rows(PairedFinding f) => f.Gap.Seeds.Select((seed, i) =>
    {
        var p = f.Gap.PerSeed.Count > i ? f.Gap.PerSeed[i] : null;
        double gap = f.Gap.Unit == SeededComparison.Points ? 100 * f.Gap.PerSeedGaps[i] : f.Gap.PerSeedGaps[i];
        string format = f.Gap.Unit == SeededComparison.Points ? "+0.0;−0.0;0.0" : "+0.000;−0.000;0.000";
        return new[]
        {
            f.Name, seed.ToString(CultureInfo.InvariantCulture), gap.ToString(format, CultureInfo.InvariantCulture),
            p?.OnlyB.ToString(CultureInfo.InvariantCulture) ?? "–", p?.OnlyA.ToString(CultureInfo.InvariantCulture) ?? "–",
            p is null ? "–" : p.PValue < 0.001 ? "< 0.001" : p.PValue.ToString("0.###", CultureInfo.InvariantCulture),
            i == 0 ? f.Verdict.ToWords() : "",
        };
    });
}
