namespace PeftKit.Data.Build;

/// <summary>What one <c>kit data</c> run wrote: every output file with its counts, and the cleaning statistics.</summary>
/// <param name="Files">Output files in write order.</param>
/// <param name="Statistics">Named counts of the cleaning steps (e.g. <c>t1.exact_duplicates</c>), in a fixed order.</param>
public sealed record DataBuildReport(IReadOnlyList<DataOutputFile> Files, IReadOnlyList<KeyValuePair<string, int>> Statistics)
{
    /// <summary>The markdown counts section <c>kit data</c> writes into data/README.md between the count markers.</summary>
    public string CountsMarkdown()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("| file | examples | per label | sha256 of the uncompressed content |\n|---|---:|---|---|\n");
        foreach (var f in Files)
            sb.Append(FormattableString.Invariant($"| `{f.Path}` | {f.Examples:N0} | {string.Join(", ", f.LabelCounts.Select(kv => FormattableString.Invariant($"{kv.Key}: {kv.Value:N0}")))} | `{f.ContentSha256[..16]}…` |\n"));
        sb.Append("\n| cleaning step | count |\n|---|---:|\n");
        foreach (var (k, v) in Statistics) sb.Append(FormattableString.Invariant($"| {k} | {v:N0} |\n"));
        return sb.ToString();
    }
}
