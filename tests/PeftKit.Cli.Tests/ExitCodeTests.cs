namespace PeftKit.Cli.Tests;

/// <summary>
/// Every verb's exit codes as its --help documents them: 0 done, 1 the work failed, 2 bad arguments (nothing run),
/// 3 a cell timed out (kit run). The successful and failing runs of the heavy verbs (bench, pretrain, doctor) are in
/// their own test classes; here each verb gets its bad-argument cases and the cheap failure paths.
/// </summary>
public sealed class ExitCodeTests
{
    const string Polyglot = """{"kernelspec":{"display_name":".NET (C#)","language":"C#","name":".net-csharp"}}""";

    /// <summary>A notebook with a parameters cell (int n, string profile) and then <paramref name="body"/>.</summary>
    static string Notebook(string dir, string name, string body = "Console.WriteLine(n);")
    {
        static string Cell(string source, string tags = "[]") =>
            $$"""{"cell_type":"code","execution_count":null,"metadata":{"tags":{{tags}}},"outputs":[],"source":{{System.Text.Json.JsonSerializer.Serialize(source)}}}""";
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, $$"""{"nbformat":4,"nbformat_minor":5,"metadata":{{Polyglot}},"cells":[{{Cell("int n = 1;\nvar profile = \"full\";", "[\"parameters\"]")}},{{Cell(body)}}]}""");
        return path;
    }

    static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "peftkit-exit-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static void Expect(int code, string stderrPart, params string[] args)
    {
        var (exit, stdout, stderr) = Kit.Run(args);
        Assert.True(exit == code, $"kit {string.Join(' ', args)}: exit {exit}, expected {code}\n{stdout}\n{stderr}");
        Assert.Contains(stderrPart, stderr);
    }

    [Theory]
    [InlineData("doctor", "1 torch cannot be used here")]
    [InlineData("run", "3 a cell ran past --timeout")]
    [InlineData("verify", "1 a notebook could not be read or does not pass")]
    [InlineData("export", "1 the notebook could not be read or the output could not be written")]
    [InlineData("data", "1 a download or the build failed")]
    [InlineData("pretrain", "1 pretraining failed")]
    [InlineData("bench", "1 torch cannot be used here, or the figure could not be rendered")]
    public void EveryVerbsHelpDocumentsItsExitCodes(string verb, string failed)
    {
        var (exit, stdout, _) = Kit.Run(verb, "--help");
        Assert.Equal(0, exit);
        var help = string.Join(' ', stdout.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Exit codes: 0 done; ", help);
        Assert.Contains(failed, help);
        Assert.Contains("2 bad arguments (nothing was run)", help);
    }

    [Theory]
    [InlineData("doctor", "--bogus")]
    [InlineData("export", "x.ipynb")]                  // --to is required
    [InlineData("export", "x.ipynb", "--to", "pdf")]
    [InlineData("data", "--bogus")]
    [InlineData("pretrain", "--model", "tiny-t5")]
    [InlineData("pretrain", "--model", "tiny-gpt", "--profile", "medium")]
    [InlineData("pretrain", "--model", "tiny-gpt", "--steps", "many")]
    [InlineData("bench", "--steps", "x")]
    [InlineData("nosuchverb")]
    public void ParseErrorsExit2OnEveryVerb(params string[] args)
    {
        var (exit, stdout, stderr) = Kit.Run(args);
        Assert.True(exit == 2, $"kit {string.Join(' ', args)}: exit {exit}\n{stdout}\n{stderr}");
    }

    [Fact]
    public void NoVerbExits2() => Assert.Equal(2, Kit.Run().Exit);

    [Fact]
    public void RunRejectsBadArgumentsWith2BeforeRunningAnything()
    {
        var dir = TempDir();
        var nb = Notebook(dir, "a.ipynb", "System.IO.File.WriteAllText(\"ran.txt\", \"ran\");");
        Expect(2, "Required argument missing", "run");
        Expect(2, "Argument 'tpu' not recognized", "run", nb, "--backend", "tpu");
        Expect(2, "Parameter 'nosuch' is not assigned in the parameters cell (it assigns: n, profile)", "run", nb, "-p", "nosuch=1");
        Expect(2, "Parameter 'n': \"abc\" is not a valid int.", "run", nb, "-p", "n=abc");
        Expect(2, "-p novalue: expected name=value.", "run", nb, "-p", "novalue");
        Expect(2, "the parameter 'n' is given twice", "run", nb, "-p", "n=1", "-p", "n=2");
        Expect(2, "Unknown profile \"\": use one of \"quick\", \"full\"", "run", nb, "-p", "profile=");
        Expect(2, "Unknown profile \"medium\": use one of \"quick\", \"full\"", "run", nb, "-p", "profile=medium");
        Expect(2, "--timeout must be a positive number of seconds, not 0.", "run", nb, "--timeout", "0");
        Expect(2, "--timeout must be a positive number of seconds, not NaN.", "run", nb, "--timeout", "NaN");
        Expect(2, "--output and --inplace cannot be used together.", "run", nb, "--output", dir, "--inplace");
        Expect(2, "missing.ipynb: notebook not found.", "run", nb, Path.Combine(dir, "missing.ipynb"));
        Expect(2, "no notebook matches this pattern", "run", Path.Combine(dir, "z*.ipynb"));
        // A second notebook without the parameter stops the first one from running too.
        var other = Path.Combine(dir, "b.ipynb");
        File.WriteAllText(other, """{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[]}""");
        Expect(2, "b.ipynb: The notebook has no cell tagged \"parameters\"", "run", nb, other, "-p", "n=2");
        Assert.False(File.Exists(Path.Combine(dir, "ran.txt")), "a notebook ran although the arguments were bad");
        Assert.Equal(["a.ipynb", "b.ipynb"], Directory.GetFiles(dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void RunInplaceWithoutABrowserExits2AndLeavesTheNotebookAsItWas()
    {
        // The committed outputs' charts need a PNG; without a browser to draw it, --inplace must not write a notebook
        // whose charts lack it (the fallback HTML would pass unnoticed until a viewer shows an empty chart).
        var dir = TempDir();
        var nb = Notebook(dir, "a.ipynb", "System.IO.File.WriteAllText(\"ran.txt\", \"ran\");");
        var before = File.ReadAllText(nb);
        var (exit, stdout, stderr) = Kit.RunWith(new Dictionary<string, string> { ["PEFTKIT_BROWSER"] = "/nonexistent/chromium" }, "run", nb, "--inplace");
        Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("needs Chromium, Chrome or Edge and none was found", stderr);
        Assert.Contains("PEFTKIT_BROWSER", stderr);
        Assert.Equal(before, File.ReadAllText(nb));
        Assert.False(File.Exists(Path.Combine(dir, "ran.txt")), "the notebook ran although --inplace could not record its charts");
    }

    [Fact]
    public void RunExits0WhenEveryNotebookRanAnd1WhenOneFailedOrCouldNotBeRead()
    {
        var dir = TempDir();
        var ok = Notebook(dir, "ok.ipynb");
        var (exit, stdout, stderr) = Kit.Run("run", ok, "-p", "n=7", "-p", "profile=quick");
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains("\"7\\n\"", File.ReadAllText(Path.Combine(dir, "ok.out.ipynb")));
        var failing = Notebook(dir, "failing.ipynb", "throw new InvalidOperationException(\"boom\");");
        Expect(1, "error: failing.ipynb: ", "run", ok, failing);
        var broken = Path.Combine(dir, "broken.ipynb");
        File.WriteAllText(broken, """{"nbformat":4,"nbformat_minor":5,"metadata":{},"cells":[{"cell_type":"code","cell_type":"raw","source":""}]}""");
        Expect(1, "broken.ipynb: cells[0].cell_type: duplicate key \"cell_type\"", "run", ok, broken);
        Assert.True(File.Exists(Path.Combine(dir, "ok.out.ipynb"))); // the readable notebook still ran
    }

    [Fact]
    public void RunExits3WhenACellTimesOut()
    {
        var dir = TempDir();
        var slow = Notebook(dir, "slow.ipynb", "System.Threading.Thread.Sleep(60_000);");
        Expect(3, "a cell timed out", "run", slow, "--timeout", "2");
    }

    [Fact]
    public void RunSavesWhatRanWhenTheOutputCannotBeWrittenAndExits1()
    {
        var dir = TempDir();
        var nb = Notebook(dir, "a.ipynb", "Console.WriteLine(\"expensive result\");");
        Directory.CreateDirectory(Path.Combine(dir, "a.out.ipynb")); // a folder where the executed notebook should go
        var (exit, stdout, stderr) = Kit.Run("run", nb);
        Assert.True(exit == 1, stdout + stderr);
        Assert.Contains("error: a.ipynb: could not write ", stderr);
        var saved = System.Text.RegularExpressions.Regex.Match(stderr, "the executed notebook was saved to (.+) instead").Groups[1].Value;
        Assert.Equal(dir, Path.GetDirectoryName(saved));
        Assert.Contains("expensive result", File.ReadAllText(saved));
        Assert.Contains("not saved", stdout);
    }

    [Fact]
    public void ExportExits2ForAMissingFile1ForABadNotebookOrUnwritableOutputAnd0Otherwise()
    {
        var dir = TempDir();
        Expect(2, "missing.ipynb: notebook not found.", "export", Path.Combine(dir, "missing.ipynb"), "--to", "html");
        Expect(2, "is a folder; give one .ipynb file.", "export", dir, "--to", "html");
        var broken = Path.Combine(dir, "broken.ipynb");
        File.WriteAllText(broken, "{\"nbformat\":4,\"nbformat_minor\":5,\"metadata\":{},\"cells\":[{\"cell_type\":\"code\",\"source\":\"\\ud800\"}]}");
        Expect(1, "cells[0].source: a \\u escape in this string is half of a UTF-16 surrogate pair", "export", broken, "--to", "html");
        var nb = Notebook(dir, "a.ipynb");
        var folder = Path.Combine(dir, "a.html");
        Directory.CreateDirectory(folder);
        Expect(1, $"error: could not write {folder}", "export", nb, "--to", "html");
        var (exit, stdout, stderr) = Kit.Run("export", nb, "--to", "html", "-o", Path.Combine(dir, "page.html"));
        Assert.True(exit == 0, stdout + stderr);
        Assert.True(File.Exists(Path.Combine(dir, "page.html")));
    }
}
