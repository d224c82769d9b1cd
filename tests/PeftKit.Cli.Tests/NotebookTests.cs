using System.Text.Json.Nodes;

namespace PeftKit.Cli.Tests;

/// <summary>
/// The tutorial notebooks (notebooks/*.ipynb): each runs headlessly through `kit run` with the quick profile, and each
/// committed file carries the outputs of a full-profile run. Convention the notebooks follow: the first code cell prints
/// <c>profile: {profile}</c>, so the profile that produced the outputs is recorded in them.
/// </summary>
public sealed class NotebookTests
{
    const string ChartMarker = "class=\"peftkit-plotly\""; // the engine's inline Plotly.NET chart (Display/PlotlyFormatting)

    static readonly string Root = FindRoot();

    /// <summary>Every committed notebook, by file name.</summary>
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(path));
        return data;
    }

    [Fact]
    public void NotebooksFolderHasNotebooks() =>
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(Root, "notebooks"), "*.ipynb"));

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsWithQuickProfile(string name)
    {
        EnsureLibraryDll();
        var output = Directory.CreateTempSubdirectory("peftkit-nb-");
        try
        {
            var (exit, stdout, stderr) = Kit.Run("run", Path.Combine(Root, "notebooks", name), "--output", output.FullName, "-p", "profile=quick");
            Assert.True(exit == 0, $"kit run exited {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
            var notebook = Read(Path.Combine(output.FullName, name));
            var outputs = Outputs(notebook).ToList();
            Assert.Empty(outputs.Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()));
            Assert.Contains(outputs, o => Html(o).Contains("<table", StringComparison.Ordinal));
            Assert.Contains(outputs, o => Html(o).Contains(ChartMarker, StringComparison.Ordinal));
            Assert.Contains(outputs, o => Text(o).Contains("profile: quick", StringComparison.Ordinal));
            Assert.DoesNotContain(outputs, o => Text(o).Contains("profile: full", StringComparison.Ordinal));
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void CommittedOutputsComeFromAFullRun(string name)
    {
        var notebook = Read(Path.Combine(Root, "notebooks", name));
        var code = notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code").ToList();
        Assert.NotEmpty(code);
        for (int i = 0; i < code.Count; i++)
        {
            var cell = code[i];
            var source = Source(cell);
            // Every code cell ran, in order, in one session (execution_count 1..n, as the engine numbers them).
            Assert.True(cell["execution_count"]?.GetValue<int>() == i + 1, $"{name}: code cell {i + 1} has execution_count {cell["execution_count"]?.ToJsonString() ?? "null"}; re-run the notebook with `kit run --inplace`.\n{source}");
            bool isParameters = Tags(cell).Contains("parameters") || Tags(cell).Contains("injected-parameters");
            Assert.True(isParameters || cell["outputs"]!.AsArray().Count > 0, $"{name}: code cell {i + 1} has no outputs.\n{source}");
            Assert.False(Tags(cell).Contains("injected-parameters") && !source.Contains("\"full\"", StringComparison.Ordinal),
                $"{name}: committed with injected parameters other than the full profile:\n{source}");
        }
        var outputs = Outputs(notebook).ToList();
        Assert.Empty(outputs.Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()));
        Assert.Contains(outputs, o => Text(o).Contains("profile: full", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => Text(o).Contains("profile: quick", StringComparison.Ordinal));
    }

    static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    static IEnumerable<JsonObject> Outputs(JsonObject notebook) =>
        notebook["cells"]!.AsArray().SelectMany(c => c!["outputs"]?.AsArray() ?? []).Select(o => o!.AsObject());

    static string Joined(JsonNode? node) => node switch
    {
        null => "",
        JsonArray a => string.Concat(a.Select(x => (string?)x)),
        _ => (string?)node ?? "",
    };

    static string Html(JsonObject output) => Joined(output["data"]?["text/html"]);

    static string Text(JsonObject output) => Joined(output["text"]) + Joined(output["data"]?["text/plain"]);

    static string Source(JsonObject cell) => Joined(cell["source"]);

    static List<string> Tags(JsonObject cell) => cell["metadata"]?["tags"]?.AsArray().Select(t => (string)t!).ToList() ?? [];

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kit.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No Kit.sln above {AppContext.BaseDirectory}; the notebook tests must run from the repository's build output.");
    }

    /// <summary>
    /// The notebooks `#r "../lib/PeftKit/bin/Debug/net10.0/PeftKit.dll"` (what VS Code users build). Under `kit run` the
    /// engine binds that reference to the PeftKit the kit already loaded, but the file must exist. A Debug build of this
    /// test project puts it there through the project references; under another configuration, copy the PeftKit.dll
    /// built beside the tests (same sources) so the reference resolves.
    /// </summary>
    static void EnsureLibraryDll()
    {
        var target = Path.Combine(Root, "lib", "PeftKit", "bin", "Debug", "net10.0", "PeftKit.dll");
        if (File.Exists(target))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "PeftKit.dll"), target);
    }
}
