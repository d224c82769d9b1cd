using System.Text.Json.Nodes;
using PeftKit.Notebooks.Fingerprints;

namespace PeftKit.Cli.Tests;

/// <summary>
/// The course notebooks (notebooks/*.ipynb) in the two hosts that run them: the real .NET Interactive kernel
/// (dotnet-repl; what VS Code Polyglot and Jupyter's .NET kernel run) and the kit's engine (`kit run`), each at the
/// quick profile, once per host (<see cref="NotebookRuns"/>); plus what the committed files must hold. Convention the
/// notebooks follow: the first code cell prints <c>profile: {profile}</c>.
/// </summary>
public sealed class NotebookTests
{
    public static TheoryData<string> Notebooks() => [.. NotebookRuns.Names];

    [Fact]
    public void NotebooksFolderHasNotebooks() => Assert.NotEmpty(NotebookRuns.Names);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsAllInTheKernel(string name)
    {
        var run = NotebookRuns.Kernel(name);
        Assert.True(run.Exit == 0, $"dotnet-repl exited {run.Exit} on {name} (2 = a cell failed):\n{Tail(run.Log)}\n{Errors(run)}");
        AssertCleanQuickRunWithTablesAndCharts(run);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void RunsWithQuickProfileInTheKitsEngine(string name)
    {
        var run = NotebookRuns.Engine(name);
        Assert.True(run.Exit == 0, $"kit run exited {run.Exit} on {name}:\n{Tail(run.Log)}");
        AssertCleanQuickRunWithTablesAndCharts(run);
    }

    /// <summary>No error or stderr output, at least one table and one chart (figure and image), the quick profile, valid nbformat.</summary>
    static void AssertCleanQuickRunWithTablesAndCharts(NotebookRun run)
    {
        var outputs = Cells.Outputs(run.Notebook).ToList();
        Assert.Empty(outputs.Where(o => (string?)o["output_type"] == "error" || (string?)o["name"] == "stderr").Select(o => o.ToJsonString()));
        Assert.Contains(outputs, o => Cells.Html(o).Contains("<table", StringComparison.Ordinal));
        var charts = outputs.Where(ChartOutputs.IsChart).ToList();
        Assert.NotEmpty(charts);
        foreach (var chart in charts) ChartOutputs.AssertDrawn(chart, run.Name);
        ChartOutputs.AssertNoInlinePlotlyJs(outputs, run.Name);
        Assert.Contains(outputs, o => Cells.Text(o).Contains("profile: quick", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => Cells.Text(o).Contains("profile: full", StringComparison.Ordinal));
        Validators.Nbformat(run.OutputPath);
    }

    /// <summary>
    /// What each code cell printed (stdout) is the same in the kernel and the kit's engine, with wall-clock figures
    /// masked (<see cref="MaskTimings"/>). Both run the same library, data and seeds on the same machine with the same
    /// thread count, so every number a notebook computes must agree exactly; a difference is a bug in one host.
    /// </summary>
    [Theory]
    [MemberData(nameof(Notebooks))]
    public void KernelAndEnginePrintTheSame(string name)
    {
        var kernel = Cells.Code(NotebookRuns.Kernel(name).Notebook).ToList();
        // The engine writes the injected parameters as an extra cell after the parameters cell; the kernel copy has none.
        var engine = Cells.Code(NotebookRuns.Engine(name).Notebook).Where(c => !Cells.Tags(c).Contains("injected-parameters")).ToList();
        Assert.Equal(kernel.Count, engine.Count);
        for (int i = 0; i < kernel.Count; i++)
        {
            string k = MaskTimings(Cells.Stdout(kernel[i])), e = MaskTimings(Cells.Stdout(engine[i]));
            if (k != e)
                Assert.Fail($"{name}, code cell {i + 1}: the kernel and the engine printed different text.\n{FirstDifference(k, e)}\n--- cell:\n{Cells.Source(kernel[i])}");
        }
    }

    [Fact]
    public void NoNotebookReferencesADllByPathAndAllNameThisPeftKitVersion()
    {
        var files = Directory.GetFiles(Path.Combine(Repo.Root, "notebooks"), "*.ipynb", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var notebook = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var lines = Cells.Code(notebook).SelectMany(c => Cells.Source(c).Split('\n')).Select(l => l.Trim()).ToList();
            var dllReferences = lines.Where(l => l.StartsWith("#r", StringComparison.Ordinal) && !l.Contains("nuget:", StringComparison.Ordinal)).ToList();
            Assert.True(dllReferences.Count == 0, $"{file} references a DLL by path: {string.Join(" | ", dllReferences)}; use #r \"nuget: PeftKit, {Repo.PeftKitVersion}\".");
            var peftKit = lines.Where(l => l.StartsWith("#r \"nuget: PeftKit", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(peftKit.Count == 1, $"{file} should reference PeftKit exactly once, found: {string.Join(" | ", peftKit)}");
            Assert.Equal($"#r \"nuget: PeftKit, {Repo.PeftKitVersion}\"", peftKit[0]);
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void ReadsItsProfileOnceThroughTheLibrary(string name)
    {
        // The parameters cell assigns the string; the first code cell after it that runs anything (past the cell of
        // package references and usings) turns it into a Profile (quick or full, anything else is an error); nothing
        // compares the string itself, so no notebook can read a typo as one size or the other.
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "notebooks", name)))!.AsObject();
        var code = Cells.Code(notebook).ToList();
        int parameters = code.FindIndex(c => Cells.Tags(c).Contains("parameters"));
        Assert.True(parameters >= 0, $"{name} has no cell tagged parameters");
        Assert.Contains("var profile = \"full\";", Cells.Source(code[parameters]));
        var firstRun = code.Skip(parameters + 1).First(c => !DeclaresOnly(Cells.Source(c)));
        Assert.Contains("var size = Profile.Parse(profile);", Cells.Source(firstRun));
        var uses = code.SelectMany(c => System.Text.RegularExpressions.Regex.Matches(Cells.Source(c), @"\bprofile\b(?! = ""full"";)(?!:)").Select(m => m.Index)).Count();
        Assert.Equal(1, uses); // Profile.Parse(profile) is the only read (the printed label "profile:" aside)
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void CommittedOutputsComeFromAFullRun(string name)
    {
        var notebook = JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, "notebooks", name)))!.AsObject();
        var code = Cells.Code(notebook).ToList();
        Assert.NotEmpty(code);
        for (int i = 0; i < code.Count; i++)
        {
            var cell = code[i];
            var source = Cells.Source(cell);
            // Every code cell ran, in order, in one session (execution_count 1..n, as the engine numbers them).
            Assert.True(cell["execution_count"]?.GetValue<int>() == i + 1, $"{name}: code cell {i + 1} has execution_count {cell["execution_count"]?.ToJsonString() ?? "null"}; re-run the notebook with `kit run --inplace`.\n{source}");
            // A cell that only defines things (usings, a plan, a helper) prints nothing, so outputs are not required:
            // the execution count above shows that it ran, and `kit verify` (VerifyTests) that this code made the outputs.
            Assert.False(Cells.Tags(cell).Contains("injected-parameters") && !source.Contains("\"full\"", StringComparison.Ordinal),
                $"{name}: committed with injected parameters other than the full profile:\n{source}");
        }
        var outputs = Cells.Outputs(notebook).ToList();
        Assert.Empty(outputs.Where(o => (string?)o["output_type"] == "error").Select(o => o.ToJsonString()));
        Assert.Contains(outputs, o => Cells.Text(o).Contains("profile: full", StringComparison.Ordinal));
        Assert.DoesNotContain(outputs, o => Cells.Text(o).Contains("profile: quick", StringComparison.Ordinal));
        // The bases are byte-level BPE (CommittedBasesTests): no text a notebook shows may have lost a word to [UNK].
        var unknown = outputs.Select(o => o.ToJsonString()).FirstOrDefault(json => json.Contains("[UNK]", StringComparison.Ordinal)) ?? "";   // text, HTML tables, figures
        Assert.True(unknown.Length == 0, $"{name}: an output shows [UNK] (re-run on the byte-level bases with `kit run --inplace`):\n{unknown[..Math.Min(400, unknown.Length)]}");
    }

    /// <summary>A cell of package references (<c>#r</c>), <c>using</c> directives and comments only: it prints nothing by construction.</summary>
    static bool DeclaresOnly(string source) => source.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimStart())
        .All(l => l.Length == 0 || l.StartsWith("#r ", StringComparison.Ordinal) || l.StartsWith("using ", StringComparison.Ordinal) || l.StartsWith("//", StringComparison.Ordinal));

    /// <summary>
    /// Wall-clock figures become "#" (<see cref="OutputMask"/>: a number followed by a time unit or a rate, the trainer's
    /// mm:ss) and absolute paths "&lt;path&gt;". They differ run to run; every other character must match.
    /// <see cref="NotebookMaskTests"/> holds the mask to what the notebooks print.
    /// </summary>
    internal static string MaskTimings(string text) => OutputMask.Apply(text);

    static string FirstDifference(string a, string b)
    {
        var (la, lb) = (a.Split('\n'), b.Split('\n'));
        for (int i = 0; i < Math.Max(la.Length, lb.Length); i++)
        {
            string x = i < la.Length ? la[i] : "(no line)", y = i < lb.Length ? lb[i] : "(no line)";
            if (x != y) return $"first differing line {i + 1}:\n  kernel: {x}\n  engine: {y}";
        }
        return "(same lines, different line endings)";
    }

    static string Errors(NotebookRun run) => File.Exists(run.OutputPath)
        ? string.Join("\n", Cells.Outputs(run.Notebook).Where(o => (string?)o["output_type"] == "error").Select(o => $"{o["ename"]}: {o["evalue"]}"))
        : "(no executed notebook)";

    static string Tail(string log) => log.Length > 4000 ? log[^4000..] : log;
}
