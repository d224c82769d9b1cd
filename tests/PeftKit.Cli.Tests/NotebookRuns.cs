using System.Diagnostics;
using System.Text.Json.Nodes;

namespace PeftKit.Cli.Tests;

/// <summary>
/// Every notebook in notebooks/ run once per host at the quick profile, shared by all the checks: the real .NET
/// Interactive kernel (dotnet-repl, pinned in .config/dotnet-tools.json) and the kit's own engine (`kit run`).
/// Executed notebooks and a timing summary go to artifacts/notebook-runs/&lt;host&gt;/.
/// </summary>
internal static class NotebookRuns
{
    static readonly TimeSpan PerNotebook = TimeSpan.FromMinutes(15);

    // The two hosts take turns. Side by side on a 2-core machine each host's TorchSharp uses every core, and the
    // oversubscribed threads made every quick run about four times slower (03: 92 s alone, 402 s beside the other
    // host), so the pair took twice as long as running one after the other.
    static readonly object oneHostAtATime = new();
    static readonly Lazy<IReadOnlyDictionary<string, NotebookRun>> kernel = new(() => RunAll("kernel", RunInKernel));
    static readonly Lazy<IReadOnlyDictionary<string, NotebookRun>> engine = new(() => RunAll("engine", RunInEngine));

    /// <summary>The course notebooks (notebooks/*.ipynb), by file name.</summary>
    internal static IReadOnlyList<string> Names { get; } =
        [.. Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb").Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal)];

    internal static NotebookRun Kernel(string name) => kernel.Value[name];

    internal static NotebookRun Engine(string name) => engine.Value[name];

    static string Folder(string host) => Path.Combine(Repo.Root, "artifacts", "notebook-runs", host);

    static IReadOnlyDictionary<string, NotebookRun> RunAll(string host, Func<string, string, NotebookRun> run)
    {
        lock (oneHostAtATime)
        {
            var folder = Folder(host);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.CreateDirectory(folder);
            var runs = Names.ToDictionary(n => n, n => run(n, folder));
            File.WriteAllLines(Path.Combine(folder, "timings.md"),
                [$"| notebook | {host} wall time (s) | exit |", "|---|--:|--:|", .. runs.Values.Select(r => $"| {r.Name} | {r.Seconds:F1} | {r.Exit} |")]);
            return runs;
        }
    }

    /// <summary>dotnet-repl on a copy whose parameters cell says profile "quick", with notebooks/ as working directory.</summary>
    static NotebookRun RunInKernel(string name, string folder)
    {
        var input = Path.Combine(folder, "input", name);
        Directory.CreateDirectory(Path.GetDirectoryName(input)!);
        File.WriteAllText(input, QuickCopy(File.ReadAllText(Path.Combine(Repo.Root, "notebooks", name)), name));
        var output = Path.Combine(folder, name);
        var clock = Stopwatch.StartNew();
        var (exit, log) = Tool.Run("dotnet",
            ["tool", "run", "dotnet-repl", "--run", input, "--exit-after-run", "--output-path", output, "--working-dir", Path.Combine(Repo.Root, "notebooks")],
            Repo.Root, PerNotebook);
        return new NotebookRun(name, exit, output, log, clock.Elapsed.TotalSeconds);
    }

    /// <summary>`kit run NB -p profile=quick` (the kit's engine injects the parameter after the parameters cell).</summary>
    static NotebookRun RunInEngine(string name, string folder)
    {
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = Kit.Run("run", Path.Combine(Repo.Root, "notebooks", name), "--output", folder, "-p", "profile=quick");
        return new NotebookRun(name, exit, Path.Combine(folder, name), stdout + stderr, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// The notebook with its parameters cell set to the quick profile. The kernel has no papermill-style parameter
    /// injection, so the one assignment is rewritten; a notebook without it fails here, loudly.
    /// </summary>
    internal static string QuickCopy(string json, string name)
    {
        var notebook = JsonNode.Parse(json)!.AsObject();
        var cell = notebook["cells"]!.AsArray().Select(c => c!.AsObject())
            .FirstOrDefault(c => c["metadata"]?["tags"]?.AsArray().Any(t => (string?)t == "parameters") == true)
            ?? throw new InvalidOperationException($"{name} has no cell tagged 'parameters'.");
        var source = Cells.Source(cell);
        const string full = "var profile = \"full\";";
        if (!source.Contains(full, StringComparison.Ordinal))
            throw new InvalidOperationException($"{name}'s parameters cell does not say `{full}`:\n{source}");
        cell["source"] = source.Replace(full, "var profile = \"quick\";", StringComparison.Ordinal);
        foreach (var code in notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code"))
        {
            code["outputs"] = new JsonArray();
            code["execution_count"] = null;
        }
        return notebook.ToJsonString();
    }
}

/// <summary>One notebook run by one host: exit code, the executed notebook's path, the host's log, wall time.</summary>
internal sealed record NotebookRun(string Name, int Exit, string OutputPath, string Log, double Seconds)
{
    internal JsonObject Notebook => File.Exists(OutputPath)
        ? JsonNode.Parse(File.ReadAllText(OutputPath))!.AsObject()
        : throw new InvalidOperationException($"{Name}: no executed notebook at {OutputPath} (exit {Exit}):\n{Log}");
}
