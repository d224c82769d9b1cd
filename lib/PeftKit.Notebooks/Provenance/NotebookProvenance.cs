using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Language;
using PeftKit.Notebooks.Model;
using PeftKit.Notebooks.Parameters;

namespace PeftKit.Notebooks.Provenance;

/// <summary>
/// The record `kit run` writes into an executed notebook's metadata (<c>metadata.peftkit.run</c>): the profile and
/// parameter overrides it ran with, and a hash of the code cells that made its outputs. `kit verify` compares it with
/// the code cells as they are now: a code edit needs a re-run, a markdown edit does not.
/// </summary>
/// <remarks>
/// The code hash is SHA-256 over the code cells in order, each as <c>len:language</c> then <c>len:source</c> (len the
/// UTF-8 byte count in decimal, language the Polyglot kernel name of <see cref="CellLanguage.Of"/>, the source with CRLF
/// as LF). Markdown and raw cells, outputs, execution counts and cell metadata other than the kernel name are not part
/// of it, nor is an injected-parameters cell: it is what -p wrote (recorded as <see cref="Profile"/> and
/// <see cref="Parameters"/>), not code the developer committed, so `-p profile=full` and no -p record the same hash.
/// Each cell's own hash (its first 12 hex digits) is kept too, so verify can name the first code cell that changed
/// (numbered like the fingerprints: code cells without the injected one). No time or machine name is recorded: the
/// same run writes the same record.
/// </remarks>
/// <param name="Profile">The value of the notebook's <c>profile</c> parameter in the run; null when it has none.</param>
/// <param name="Parameters">Parameter values the run overrode (-p) other than the profile, by name.</param>
/// <param name="CodeSha256">The code hash (64 lowercase hex digits).</param>
/// <param name="CodeCells">Each code cell's hash, first 12 hex digits, in order.</param>
/// <param name="Backend">The TorchSharp backend it ran on (cpu or cuda).</param>
/// <param name="KitVersion">The kit's version that ran it.</param>
public sealed record NotebookProvenance(
    string? Profile, IReadOnlyDictionary<string, string> Parameters, string CodeSha256, IReadOnlyList<string> CodeCells, string Backend, string KitVersion)
{
    /// <summary>The notebook metadata key the kit writes under (the record is its <c>run</c> member).</summary>
    public const string MetadataKey = "peftkit";

    /// <summary>The only profile whose outputs may be committed.</summary>
    public const string FullProfile = "full";

    /// <summary>The record of running <paramref name="notebook"/> as it is now (after any -p injection, before it runs).</summary>
    public static NotebookProvenance Of(Notebook notebook, string backend, string kitVersion)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var (profile, overrides) = RunParameters(notebook);
        return new NotebookProvenance(profile, overrides, CodeHash(notebook), CellHashes(notebook), backend, kitVersion);
    }

    /// <summary>The code hash of the notebook's code cells (see the remarks).</summary>
    public static string CodeHash(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var cell in CodeCellsOf(notebook))
            sha.AppendData(Encode(cell, notebook));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>Each code cell's hash, first 12 hex digits, in order.</summary>
    public static IReadOnlyList<string> CellHashes(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        return [.. CodeCellsOf(notebook).Select(c => Convert.ToHexStringLower(SHA256.HashData(Encode(c, notebook)))[..12])];
    }

    /// <summary>Writes the record as <c>metadata.peftkit.run</c>, keeping any other <c>peftkit</c> members.</summary>
    public void WriteTo(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        var run = new JsonObject();
        if (Profile is not null)
            run["profile"] = Profile;
        run["parameters"] = new JsonObject(Sorted(Parameters).Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value)));
        run["code_sha256"] = CodeSha256;
        run["code_cells"] = new JsonArray([.. CodeCells.Select(h => (JsonNode?)h)]);
        run["backend"] = Backend;
        run["kit_version"] = KitVersion;
        if (notebook.Metadata[MetadataKey] is not JsonObject kit)
            notebook.Metadata[MetadataKey] = kit = new JsonObject();
        kit["run"] = run;
    }

    /// <summary>Removes the record (a run that fails must not leave an earlier run's record beside its outputs).</summary>
    public static void RemoveFrom(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        if (notebook.Metadata[MetadataKey] is JsonObject kit)
        {
            kit.Remove("run");
            if (kit.Count == 0)
                notebook.Metadata.Remove(MetadataKey);
        }
    }

    /// <summary>The notebook's record; null when it has none.</summary>
    /// <exception cref="FormatException">The record is there but not in the shape <see cref="WriteTo"/> writes.</exception>
    public static NotebookProvenance? ReadFrom(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        if (notebook.Metadata[MetadataKey] is not JsonObject kit || kit["run"] is not { } node)
            return null;
        if (node is not JsonObject run)
            throw new FormatException($"metadata.{MetadataKey}.run is not an object.");
        string? Text(string key, bool required = true) =>
            run[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : required || run[key] is not null ? throw new FormatException($"metadata.{MetadataKey}.run.{key} is missing or not a string.") : null;
        var parameters = run["parameters"] is JsonObject p
            ? p.ToDictionary(kv => kv.Key, kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : kv.Value?.ToJsonString() ?? "null", StringComparer.Ordinal)
            : throw new FormatException($"metadata.{MetadataKey}.run.parameters is missing or not an object.");
        var cells = run["code_cells"] is JsonArray a
            ? a.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "").ToList()
            : throw new FormatException($"metadata.{MetadataKey}.run.code_cells is missing or not an array.");
        return new NotebookProvenance(Text("profile", required: false), parameters, Text("code_sha256")!, cells, Text("backend")!, Text("kit_version")!);
    }

    /// <summary>
    /// Null when <paramref name="notebook"/>'s outputs came from a full-profile run, without -p overrides, of exactly
    /// its code cells as they are now; otherwise what is wrong, as a sentence (without the remedy).
    /// </summary>
    public static string? Problem(Notebook notebook)
    {
        ArgumentNullException.ThrowIfNull(notebook);
        NotebookProvenance? record;
        try
        {
            record = ReadFrom(notebook);
        }
        catch (FormatException e)
        {
            return $"its run record is malformed ({e.Message})";
        }
        if (record is null)
            return $"no run record (metadata.{MetadataKey}.run): its outputs were not made by `kit run` of this code";
        var problems = new List<string>();
        var (profileNow, overridesNow) = RunParameters(notebook);
        if (record.CodeSha256 != CodeHash(notebook))
            problems.Add(record.CodeChange(notebook));
        else if (profileNow != record.Profile || !Sorted(overridesNow).SequenceEqual(Sorted(record.Parameters)))
            problems.Add("its injected-parameters cell changed since its outputs were made");
        if (record.Profile != FullProfile && !(record.Profile is null && profileNow is null))
            problems.Add($"ran at profile {record.Profile ?? "(none)"}, not {FullProfile}");
        if (record.Parameters.Count > 0)
            problems.Add($"ran with {string.Join(" ", Sorted(record.Parameters).Select(p => $"-p {p.Key}={p.Value}"))}, not the notebook's own parameters");
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    static IEnumerable<KeyValuePair<string, string>> Sorted(IReadOnlyDictionary<string, string> values) =>
        values.OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>Which code cell changed, from the per-cell hashes.</summary>
    string CodeChange(Notebook notebook)
    {
        var now = CellHashes(notebook);
        var cells = CodeCellsOf(notebook).ToList();
        int first = 0;
        while (first < Math.Min(now.Count, CodeCells.Count) && now[first] == CodeCells[first])
            first++;
        string Cell(int i) => i < cells.Count ? $"code cell {i + 1} ({Snippet(cells[i].Source)})" : $"code cell {i + 1}";
        if (now.Count == CodeCells.Count)
            return first < now.Count ? $"{Cell(first)} changed since its outputs were made" : "its code changed since its outputs were made";
        return $"code cells were added or removed since its outputs were made ({CodeCells.Count} then, {now.Count} now; " +
               $"the first difference is at {Cell(first)})";
    }

    /// <summary>The first non-blank line of a source, shortened, quoted.</summary>
    static string Snippet(string source)
    {
        var line = source.Replace("\r\n", "\n").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return $"\"{(line.Length > 40 ? line[..40] + "…" : line)}\"";
    }

    /// <summary>The profile the notebook runs with and the parameters an injected-parameters cell overrides (but profile).</summary>
    static (string? Profile, IReadOnlyDictionary<string, string> Overrides) RunParameters(Notebook notebook)
    {
        var declared = notebook.Cells.FirstOrDefault(c => c.Type == CellType.Code && c.Tags.Contains(ParameterInjector.ParametersTag)) is { } p
            ? ParameterInjector.Assignments(p.Source)
            : new Dictionary<string, string>();
        var injected = notebook.Cells.FirstOrDefault(c => c.Type == CellType.Code && c.Tags.Contains(ParameterInjector.InjectedTag)) is { } i
            ? ParameterInjector.Assignments(i.Source)
            : new Dictionary<string, string>();
        var profile = injected.TryGetValue("profile", out var ip) ? ip : declared.GetValueOrDefault("profile");
        return (profile, injected.Where(kv => kv.Key != "profile").ToDictionary(StringComparer.Ordinal));
    }

    /// <summary>The code cells the developer wrote: all but an injected-parameters cell.</summary>
    static IEnumerable<NotebookCell> CodeCellsOf(Notebook notebook) =>
        notebook.Cells.Where(c => c.Type == CellType.Code && !c.Tags.Contains(ParameterInjector.InjectedTag));

    /// <summary>One cell's bytes in the hash: <c>len:language</c> then <c>len:source</c>.</summary>
    static byte[] Encode(NotebookCell cell, Notebook notebook)
    {
        var language = Encoding.UTF8.GetBytes(CellLanguage.Of(cell, notebook));
        var source = Encoding.UTF8.GetBytes(cell.Source.Replace("\r\n", "\n"));
        return [.. Encoding.ASCII.GetBytes($"{language.Length}:"), .. language, .. Encoding.ASCII.GetBytes($"{source.Length}:"), .. source];
    }
}
