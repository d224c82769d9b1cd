using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Fingerprints;

namespace PeftKit.Cli.Tests;

/// <summary>
/// `kit run` records the run in the notebook's metadata (peftkit.run); `kit verify` passes a notebook whose outputs came
/// from a full-profile run of exactly its code cells, and names what is wrong (and the command that fixes it) otherwise.
/// </summary>
public sealed class VerifyTests
{
    const string Polyglot = """{"kernelspec":{"display_name":".NET (C#)","language":"C#","name":".net-csharp"}}""";

    /// <summary>A markdown cell, a parameters cell (int n, string profile) and two short code cells, in a fresh folder.</summary>
    static string Notebook(string name = "nb.ipynb")
    {
        static string Code(string source, string tags = "[]") =>
            $$"""{"cell_type":"code","execution_count":null,"metadata":{"tags":{{tags}}},"outputs":[],"source":{{JsonSerializer.Serialize(source)}}}""";
        static string Markdown(string source) => $$"""{"cell_type":"markdown","metadata":{},"source":{{JsonSerializer.Serialize(source)}}}""";
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-verify-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $$"""
            {"nbformat":4,"nbformat_minor":5,"metadata":{{Polyglot}},"cells":[
            {{Markdown("# A notebook\nProse.")}},
            {{Code("int n = 1;\nvar profile = \"full\";", "[\"parameters\"]")}},
            {{Code("Console.WriteLine(n + 1);")}},
            {{Code("Console.WriteLine(profile);")}}]}
            """);
        return path;
    }

    /// <summary>Edits the notebook file's JSON in place.</summary>
    static void Edit(string path, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(root);
        File.WriteAllText(path, root.ToJsonString());
    }

    static JsonArray Cells(JsonObject root) => root["cells"]!.AsArray();

    static void RunOk(params string[] args)
    {
        var (exit, stdout, stderr) = Kit.Run(["run", .. args]);
        Assert.True(exit == 0, $"kit run {string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
    }

    [Fact]
    public void RunRecordsTheRunAndVerifyPassesItUntilACodeCellChanges()
    {
        var nb = Notebook();
        RunOk(nb, "--inplace");
        var run = JsonNode.Parse(File.ReadAllText(nb))!["metadata"]!["peftkit"]!["run"]!.AsObject();
        Assert.Equal("full", (string?)run["profile"]);
        Assert.Empty(run["parameters"]!.AsObject());
        Assert.Matches("^[0-9a-f]{64}$", (string?)run["code_sha256"]);
        Assert.Equal(3, run["code_cells"]!.AsArray().Count);
        Assert.Equal("cpu", (string?)run["backend"]);
        Assert.Equal(Repo.PeftKitVersion, (string?)run["kit_version"]);
        var runText = File.ReadAllText(nb);
        // The quick-profile fingerprint beside it carries the same code hash.
        var fingerprint = NotebookFingerprint.PathFor(nb);
        var fingerprintText = File.ReadAllText(fingerprint);
        Assert.Equal((string?)run["code_sha256"], NotebookFingerprint.CodeHashIn(fingerprintText));

        var (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains(" ok ", stdout);

        // A fingerprint recorded with other code fails, naming it.
        File.WriteAllText(fingerprint, fingerprintText.Replace((string)run["code_sha256"]!, new string('0', 64)));
        (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains($"error: nb.ipynb: its fingerprint {Path.Combine("fingerprints", "nb.txt")} was recorded with other code than its outputs", stderr);
        File.WriteAllText(fingerprint, fingerprintText);

        // Markdown edits need no re-run.
        Edit(nb, root => Cells(root)[0]!["source"] = "# A retitled notebook\nNew prose.");
        (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 0, stdout + stderr);

        // A code edit does: the line names the notebook, the cell and the command.
        Edit(nb, root => Cells(root)[3]!["source"] = "Console.WriteLine(profile + \"!\");");
        (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains($"error: nb.ipynb: code cell 3 (\"Console.WriteLine(profile + \"!\");\") changed since its outputs were made " +
                        $"— re-run it: kit run {nb} --inplace", stderr);
        Assert.Contains("stale", stdout);

        // The same run records the same record (no time, no machine; the cells' own timings are the engine's).
        File.WriteAllText(nb, runText);
        RunOk(nb, "--inplace");
        Assert.Equal(run.ToJsonString(), JsonNode.Parse(File.ReadAllText(nb))!["metadata"]!["peftkit"]!["run"]!.ToJsonString());
    }

    [Fact]
    public void ANotebookWithoutARecordFails()
    {
        var nb = Notebook();
        var (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains("error: nb.ipynb: no run record", stderr);
        Assert.Contains($"kit run {nb} --inplace", stderr);
    }

    [Theory]
    [InlineData("ran at profile quick, not full", "-p", "profile=quick")]
    [InlineData("ran with -p n=2, not the notebook's own parameters", "-p", "n=2")]
    public void ARunAtAnotherProfileOrWithOverridesFails(string problem, params string[] parameters)
    {
        var nb = Notebook();
        RunOk([nb, "--inplace", .. parameters]);
        var (exit, stdout, stderr) = Kit.Run("verify", nb);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains($"error: nb.ipynb: {problem}", stderr);
    }

    [Fact]
    public void AFailedRunLeavesNoRecord()
    {
        var nb = Notebook();
        RunOk(nb, "--inplace");
        Edit(nb, root => Cells(root)[3]!["source"] = "throw new InvalidOperationException(\"broke\");");
        Assert.Equal(1, Kit.Run("run", nb, "--inplace").Exit);
        Assert.Null(JsonNode.Parse(File.ReadAllText(nb))!["metadata"]!["peftkit"]);
        Assert.Equal(1, Kit.Run("verify", nb).Exit);
    }

    [Theory]
    [InlineData("missing.ipynb")]
    [InlineData("nothing-*.ipynb")]
    [InlineData("--bogus")]
    public void BadArgumentsExit2(string argument)
    {
        var dir = Path.GetDirectoryName(Notebook())!;
        var (exit, stdout, stderr) = Kit.Run("verify", argument.StartsWith('-') ? argument : Path.Combine(dir, argument));
        Assert.True(exit == 2, stdout + stderr);
    }

    [Fact]
    public void AFolderWithoutNotebooksIsABadArgument()
    {
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-verify-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (exit, stdout, stderr) = Kit.Run("verify", dir);
        Assert.True(exit == 2, stdout + stderr);
        Assert.Contains("no notebooks in", stderr);
    }

    /// <summary>
    /// The committed notebooks' outputs are a full-profile run of their committed code. Fails until each notebook is
    /// re-run after a code edit (`kit run notebooks/NAME.ipynb --inplace`); markdown edits need no re-run.
    /// </summary>
    [Fact]
    public void EveryCommittedNotebookPassesVerify()
    {
        var notebooks = Path.Combine(Repo.Root, "notebooks");
        var (exit, stdout, stderr) = Kit.Run("verify", notebooks);
        Assert.True(exit == 0, $"kit verify {notebooks} exited {exit}; what it said:\n{stderr}\n{stdout}");
        Assert.Equal(Directory.GetFiles(notebooks, "*.ipynb").Count(f => !f.EndsWith(".out.ipynb", StringComparison.Ordinal)),
            stdout.Split('\n').Count(l => l.Contains(".ipynb", StringComparison.Ordinal) && l.Contains(" ok ", StringComparison.Ordinal)));
    }
}
