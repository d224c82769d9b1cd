using System.Diagnostics;
using System.Text.RegularExpressions;
using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Export;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;
using Xunit.Abstractions;

namespace PeftKit.Notebooks.Tests;

/// <summary><c>kit export --to cs</c>: a .NET 10 file-based app that prints what the notebook showed.</summary>
public class ExportTests(ITestOutputHelper log)
{
    static readonly Regex Number = new(@"-?\d+(\.\d+)?", RegexOptions.Compiled);

    // Time: the notebook run (a NuGet restore the first time, then ~25 small cells) plus `dotnet run`, which builds the
    // file-based app first (restore from the local NuGet cache + one csc run): ~30 s of CPU in all on an idle 2-core
    // machine, far longer when the cores are shared. Filter it out with --filter "Category!=DotnetRun".
    [Fact]
    [Trait("Category", "DotnetRun")]
    public async Task ExportedAppRunsWithDotnetRunAndPrintsTheNotebooksNumbers()
    {
        var dir = Fixture.CopyToTemp("export.ipynb", "helper.csx");
        var path = Path.Combine(dir, "export.ipynb");
        var run = await NotebookExecutor.RunAsync(NotebookReader.ReadFile(path), new NotebookRunOptions(dir, notebookName: "export.ipynb"));
        Assert.True(run.Status == NotebookStatus.Succeeded, run.FirstError);

        // No package assemblies given: the export must also cope with types it cannot see (Newtonsoft's).
        var app = CSharpAppExporter.Export(NotebookReader.ReadFile(path), dir, dir);
        var cs = Path.Combine(dir, "export.cs");
        File.WriteAllText(cs, app);
        Assert.Contains("#:package Newtonsoft.Json@13.0.3", app);
        Assert.Contains("// Some *markdown* that becomes a comment.", app);
        Assert.Contains("namespace NotebookCell8", app); // class Foo declared again in cell 8
        Assert.Contains("var x_4 = \"now a string\";", app); // x redeclared in cell 4
        Assert.Contains("var i_6 = 7;", app); // top-level i would clash with cell 5's loop variable i
        Assert.Contains("var t = (x: x_4, i: i_6);", app); // tuple element names kept

        // Run from another folder: the app must switch to the notebook's folder itself (data.txt, helper output files).
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = Dotnet(Path.GetTempPath(), "run", cs);
        clock.Stop();
        log.WriteLine($"dotnet run export.cs: {clock.Elapsed.TotalSeconds:F1} s (build of the file-based app + run)");
        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}\n--- app ---\n{app}");

        var notebookText = string.Join("\n", run.Notebook.Cells.Where(c => c.Type == CellType.Code).SelectMany(c => c.Outputs)
            .Select(o => o.Kind == OutputKind.Stream ? o.Text : o.GetText("text/plain"))
            .Where(t => t is not null && !t.StartsWith("Wall time:", StringComparison.Ordinal)));
        var appLines = stdout.Split('\n').Where(l => !l.StartsWith("(text/html saved to ", StringComparison.Ordinal) && !l.StartsWith("Wall time:", StringComparison.Ordinal)
                                                      && !l.Contains(": warning ", StringComparison.Ordinal)); // build warnings, should the SDK print any
        var expected = Number.Matches(notebookText).Select(m => m.Value).ToList();
        var actual = Number.Matches(string.Join("\n", appLines)).Select(m => m.Value).ToList();
        Assert.True(expected.Count >= 30, string.Join(" ", expected)); // the fixture shows this many numbers; fewer means outputs went missing
        Assert.True(expected.SequenceEqual(actual), $"notebook: {string.Join(" ", expected)}\napp:      {string.Join(" ", actual)}\n--- stdout ---\n{stdout}");

        // Exact lines where the console form is the kernel's text/plain form.
        var lines = stdout.Split('\n');
        foreach (var line in new[] { "3", "x squared = 9", "12", "55", "42", "P(1,2)", "[ 1.5, 2.25, 3 ]", "{\"A\":1,\"B\":[2,3]}", "5050", "14", "99", "void trailing 5", "<null>", "[ 7, 8 ]" })
            Assert.Contains(line, lines);
        Assert.Matches(@"(?m)^Wall time: \d+\.\d\dms$", stdout);
        var html = Assert.Single(Directory.GetFiles(dir, "export-output-*.html"));
        Assert.Contains("<b>bold</b>", File.ReadAllText(html));
        Assert.Contains($"(text/html saved to {html})", lines);
    }

    [Fact]
    public void DirectivesMapToFileBasedAppDirectives()
    {
        // A repo-like layout: lib/Tool/Tool.csproj built into lib/Tool/bin/Debug/net10.0/Tool.dll, the notebook in nb/.
        var root = Fixture.CopyToTemp();
        Directory.CreateDirectory(Path.Combine(root, "lib", "Tool"));
        File.WriteAllText(Path.Combine(root, "lib", "Tool", "Tool.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        Directory.CreateDirectory(Path.Combine(root, "nb", "feed"));
        var notebook = new Notebook();
        notebook.Cells.Add(new NotebookCell
        {
            Type = CellType.Code,
            Source = "#i \"nuget: feed\"\n#i \"nuget: https://example.org/v3/index.json\"\n#r \"nuget: Plotly.NET.CSharp\"\n#r \"nuget:TorchSharp-cpu,0.107.0\"\n#r \"../lib/Tool/bin/Debug/net10.0/Tool.dll\"\n#r \"other.dll\"\nvar a = 1;",
        });
        notebook.Cells.Add(new NotebookCell { Type = CellType.Code, Source = "#!fsharp\nlet b = 2" });
        notebook.Cells.Add(new NotebookCell { Type = CellType.Code, Source = "#!about" });
        var app = CSharpAppExporter.Export(notebook, Path.Combine(root, "nb"), root);
        var lines = app.Split('\n');
        Assert.Contains("#:package Plotly.NET.CSharp@*", lines); // no version: the latest stable, as the kernel did
        Assert.Contains("#:package TorchSharp-cpu@0.107.0", lines);
        Assert.Contains("#:project lib/Tool/Tool.csproj", lines);
        Assert.Contains($"#:property RestoreAdditionalProjectSources={Path.Combine(root, "nb", "feed")};https://example.org/v3/index.json", lines);
        Assert.Contains("#:property ManagePackageVersionsCentrally=false", lines); // a repo's Directory.Packages.props would reject #:package X@V
        Assert.Contains("// kit export: #r \"other.dll\" was built by no project found above it; add it as a #:package or #:project.", lines);
        Assert.Contains("NotebookPrelude.Start(\"nb\"); // the notebook ran in its own folder: relative paths resolve there", lines);
        Assert.Contains(lines, l => l.StartsWith("// ---- cell 2: not exported (Cell 2, line 1: `#!fsharp` switches to the fsharp kernel", StringComparison.Ordinal));
        Assert.Contains("// let b = 2", lines);
        Assert.Contains(lines, l => l.StartsWith("// ---- cell 3: not exported (Cell 3, line 1: the magic command `#!about` is not supported", StringComparison.Ordinal));
    }

    static (int Exit, string Stdout, string Stderr) Dotnet(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10))) // ~20 s when the machine is idle; a generous bound for shared CI cores
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("dotnet run did not finish within 10 minutes.");
        }
        return (p.ExitCode, stdout.Result.Replace("\r\n", "\n"), stderr.Result);
    }
}
