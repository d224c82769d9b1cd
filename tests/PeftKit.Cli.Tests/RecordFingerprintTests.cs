using System.Text.Json;
using PeftKit.Notebooks.Fingerprints;

namespace PeftKit.Cli.Tests;

/// <summary>
/// `kit run --inplace` at the full profile also runs the quick profile and records its fingerprint beside the notebook;
/// any other run records nothing, and a failing quick run loses nothing of the full run.
/// </summary>
public sealed class RecordFingerprintTests
{
    const string Polyglot = """{"kernelspec":{"display_name":".NET (C#)","language":"C#","name":".net-csharp"}}""";

    /// <summary>A notebook whose parameters cell assigns <paramref name="parameters"/>, then <paramref name="body"/>.</summary>
    static string Notebook(string name, string parameters, string body)
    {
        static string Cell(string source, string tags = "[]") =>
            $$"""{"cell_type":"code","execution_count":null,"metadata":{"tags":{{tags}}},"outputs":[],"source":{{JsonSerializer.Serialize(source)}}}""";
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-fingerprint-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $$"""{"nbformat":4,"nbformat_minor":5,"metadata":{{Polyglot}},"cells":[{{Cell(parameters, "[\"parameters\"]")}},{{Cell(body)}}]}""");
        return path;
    }

    const string Accuracy = """Console.WriteLine(profile == "quick" ? $"accuracy {0.5:F3} in {1.2} s" : "accuracy 0.900");""";

    [Fact]
    public void AFullRunInPlaceRecordsTheQuickRunsFingerprint()
    {
        var nb = Notebook("nb.ipynb", "int n = 1;\nvar profile = \"full\";", Accuracy);
        var (exit, stdout, stderr) = Kit.Run("run", nb, "--inplace");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("accuracy 0.900", File.ReadAllText(nb)); // the committed outputs are the full run's
        var path = NotebookFingerprint.PathFor(nb);
        Assert.Equal(Path.Combine(Path.GetDirectoryName(nb)!, "fingerprints", "nb.txt"), path);
        Assert.Contains($"fingerprint: {path}", stdout);
        var text = File.ReadAllText(path);
        Assert.Contains("kit run nb.ipynb --inplace", text);
        Assert.Equal(["2: accuracy 0.500 in # s"], NotebookFingerprint.Parse(text).Lines);

        // -p profile=full is the same run; the fingerprint is written again, identically.
        File.Delete(path);
        Assert.Equal(0, Kit.Run("run", nb, "--inplace", "-p", "profile=full").Exit);
        Assert.Equal(text, File.ReadAllText(path));
    }

    [Theory]
    [InlineData("--inplace", "-p", "profile=quick")]  // not the full profile: nothing to commit a fingerprint with
    [InlineData("--inplace", "-p", "n=2")]            // other parameters than the tests use
    [InlineData("--output", "OUT")]                   // not in place: not for committing
    public void OtherRunsRecordNothing(params string[] args)
    {
        var nb = Notebook("nb.ipynb", "int n = 1;\nvar profile = \"full\";", Accuracy);
        var dir = Path.GetDirectoryName(nb)!;
        var (exit, stdout, stderr) = Kit.Run(["run", nb, .. args.Select(a => a == "OUT" ? Path.Combine(dir, "out") : a)]);
        Assert.True(exit == 0, stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "fingerprints")), stdout);
    }

    [Fact]
    public void ANotebookWithoutAProfileHasNoFingerprint()
    {
        var nb = Notebook("plain.ipynb", "int n = 1;", "Console.WriteLine(n);");
        var (exit, stdout, stderr) = Kit.Run("run", nb, "--inplace");
        Assert.True(exit == 0, stdout + stderr);
        Assert.False(Directory.Exists(Path.Combine(Path.GetDirectoryName(nb)!, "fingerprints")));
    }

    [Fact]
    public void AFailingQuickRunKeepsTheFullOutputsWritesNoFingerprintAndExits1()
    {
        var nb = Notebook("nb.ipynb", "var profile = \"full\";",
            "if (profile == \"quick\") throw new InvalidOperationException(\"quick broke\");\nConsole.WriteLine(\"full ran\");");
        var (exit, stdout, stderr) = Kit.Run("run", nb, "--inplace");
        Assert.Equal(1, exit);
        Assert.Contains("full ran", File.ReadAllText(nb));
        Assert.Contains("the quick-profile run for its fingerprint failed", stderr);
        Assert.Contains("quick broke", stderr);
        Assert.False(File.Exists(NotebookFingerprint.PathFor(nb)));
        Assert.Contains("no fingerprint", stdout);
    }
}
