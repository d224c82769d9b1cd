using System.Text.Json.Nodes;
using PeftKit.Notebooks.Fingerprints;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

/// <summary>
/// <see cref="NotebookFingerprint"/>: what it keeps (every printed and tabulated number), what it masks (time, memory,
/// paths) and what it leaves out (charts, the setup table), so that equal fingerprints mean equal results and a moved
/// number is named. The committed notebooks against their recorded fingerprints: PeftKit.Cli.Tests.
/// </summary>
public class FingerprintTests
{
    const string ResultsTable =
        "<table><thead><tr><th>run</th><th>dev acc</th><th>test acc</th><th>step ms</th><th>seconds</th><th>peak +MiB</th><th>adapter bytes</th></tr></thead>" +
        "<tbody><tr><td>LoRA r=8 &amp; more</td><td>0.825</td><td>{0}</td><td>{1}</td><td>58.5</td><td>1335</td><td>17,102,926</td></tr></tbody></table>";

    /// <summary>KitTorch.Setup's result as the engine draws it (one name/value row per member); {0} threads, {1} CPU kernels.</summary>
    const string SetupTable =
        "<table><thead><tr><th>name</th><th>value</th></tr></thead><tbody><tr><td>TorchSharpVersion</td><td>0.107.0</td></tr>" +
        "<tr><td>LibTorchVersion</td><td>2.10.0.0</td></tr><tr><td>Device</td><td>cpu</td></tr><tr><td>Threads</td><td>{0}</td></tr>" +
        "<tr><td>Seed</td><td>42</td></tr><tr><td>Deterministic</td><td>True</td></tr><tr><td>CpuKernels</td><td>{1}</td></tr>" +
        "<tr><td>Compat</td><td>applied (cached in /root/.cache/peftkit/native/x)</td></tr></tbody></table>";

    const string SetupLine = "2~ setup: TorchSharpVersion=0.107.0 · LibTorchVersion=2.10.0.0 · Seed=42 · Deterministic=True · CpuKernels=avx2 (pinned)";

    /// <summary>A quick run as either host writes it: setup cell, a training cell (prints, a table, a chart).</summary>
    static Notebook Run(string testAcc = "0.833", string stepMs = "247.1", string seconds = "14.2", string threads = "2",
        string root = "/work/main", bool injected = false, string cpuKernels = "avx2 (pinned)", string? setupHtml = null)
    {
        var cells = new List<NotebookCell>
        {
            new() { Type = CellType.Markdown, Source = "# title" },
            new() { Type = CellType.Code, Source = "var profile = \"full\";", Metadata = Tags("parameters") },
        };
        if (injected)
            cells.Add(new() { Type = CellType.Code, Source = "var profile = \"quick\";", Metadata = Tags("injected-parameters"),
                Outputs = [CellOutput.Stream("stdout", "injected 0.5\n")] });
        cells.Add(new()
        {
            Type = CellType.Code, Source = "KitTorch.Setup(seed)",
            Outputs = [CellOutput.Stream("stdout", "profile: quick, seed: 42\n"), CellOutput.Result([new("text/html", setupHtml ?? string.Format(SetupTable, threads, cpuKernels))], 2)],
        });
        cells.Add(new()
        {
            Type = CellType.Code, Source = "train",
            Outputs =
            [
                CellOutput.Stream("stdout", $"tiny-gpt (4,273,664 parameters) from {root}/data/models/tiny-gpt\n"),
                CellOutput.Stream("stdout", $"step 4/8 | train loss 0.9189 | 00:06\nStopped after 8 steps in {seconds} s.\n"),
                CellOutput.Display([new("text/html", string.Format(ResultsTable, testAcc, stepMs))]),
                CellOutput.Display([new("application/vnd.plotly.v1+json", $$"""{"data":[{"y":[{{stepMs}}]}]}"""), new("image/png", "iVBORw0KGgo=")]),
                CellOutput.Display([new("text/html", "<div>Installing packages</div>")]),
            ],
        });
        return new Notebook { Cells = cells };
    }

    static JsonObject Tags(string tag) => new() { ["tags"] = new JsonArray(tag) };

    /// <summary>
    /// A generated text with line breaks in a table cell (notebook 02's samples): a fresh fingerprint must equal the
    /// recorded file read back, which splits at every line break. Before the fix the row stayed one line and a quick
    /// run differed from its own recorded fingerprint.
    /// </summary>
    [Fact]
    public void ALineBreakInATableCellReadsBackAsTheFileHasIt()
    {
        var notebook = new Notebook
        {
            Cells =
            [
                new() { Type = CellType.Code, Source = "samples", Outputs =
                    [CellOutput.Display([new("text/html", "<table><thead><tr><th>generated</th><th>F1</th></tr></thead><tbody><tr><td>Applause))\n\n\"N</td><td>0.00</td></tr></tbody></table>")])] },
            ],
        };
        var fresh = NotebookFingerprint.Of(notebook);
        Assert.DoesNotContain(fresh.Lines, l => l.Contains('\n'));
        Assert.Null(NotebookFingerprint.Parse(fresh.ToText("nb.ipynb", "kit run nb.ipynb --inplace")).FirstDifference(fresh));
    }

    [Fact]
    public void KeepsEveryResultAndMasksTimeMemoryAndPaths()
    {
        Assert.Equal(
        [
            "2: profile: quick, seed: 42",
            SetupLine,
            "3: tiny-gpt (4,273,664 parameters) from <path>",
            "3: step 4/8 | train loss 0.9189 | #:#",
            "3: Stopped after 8 steps in # s.",
            "3| run | dev acc | test acc | step ms | seconds | peak +MiB | adapter bytes",
            "3| LoRA r=8 & more | 0.825 | 0.833 | # | # | # | 17,102,926",
        ], NotebookFingerprint.Of(Run()).Lines);
    }

    [Fact]
    public void RunsThatDifferOnlyInTimingThreadsPlaceOrInjectedCellHaveOneFingerprint()
    {
        var recorded = NotebookFingerprint.Of(Run());
        var other = NotebookFingerprint.Of(Run(stepMs: "1,510.0", seconds: "3.9", threads: "4", root: "/tmp/ciroot/main", injected: true));
        Assert.Null(recorded.FirstDifference(other));
    }

    [Fact]
    public void ANumericsSettingIsInTheFingerprintWhereTheMachineIsNot()
    {
        var recorded = NotebookFingerprint.Of(Run());
        var native = NotebookFingerprint.Of(Run(cpuKernels: "native (PEFTKIT_CPU_KERNELS=native)"));
        Assert.Contains("this run: 2~ setup: TorchSharpVersion=0.107.0 · LibTorchVersion=2.10.0.0 · Seed=42 · Deterministic=True · " +
            "CpuKernels=native (PEFTKIT_CPU_KERNELS=native)", recorded.FirstDifference(native));
    }

    [Fact]
    public void TheSetupTableReadsTheSameInEitherDrawing()
    {
        // A header row of member names over a row of values, and a nested table in a cell (a record member).
        const string columns =
            "<table><thead><tr><th>TorchSharpVersion</th><th>LibTorchVersion</th><th>Threads</th><th>Seed</th><th>Deterministic</th>" +
            "<th>CpuKernels</th><th>Compat</th></tr></thead><tbody><tr><td>0.107.0</td><td>2.10.0.0</td><td>8</td><td>42</td>" +
            "<td><div class=\"dni-plaintext\"><pre>True</pre></div></td><td>avx2 (pinned)</td><td>applied</td></tr></tbody></table>";
        Assert.Equal(SetupLine, NotebookFingerprint.Of(Run(setupHtml: columns)).Lines[1]);
        var partial = NotebookFingerprint.Of(Run(setupHtml: "<table><tr><td>TorchSharpVersion</td><td>0.107.0</td></tr></table>"));
        Assert.Equal("2~ setup: TorchSharpVersion=0.107.0 · LibTorchVersion=? · Seed=? · Deterministic=? · CpuKernels=?", partial.Lines[1]);
    }

    [Fact]
    public void AMovedResultIsNamedWithItsCell()
    {
        var recorded = NotebookFingerprint.Of(Run(testAcc: "0.833"));
        var difference = recorded.FirstDifference(NotebookFingerprint.Of(Run(testAcc: "0.830")));
        Assert.NotNull(difference);
        Assert.Contains("code cell 3", difference);
        Assert.Contains("recorded: 3| LoRA r=8 & more | 0.825 | 0.833 |", difference);
        Assert.Contains("this run: 3| LoRA r=8 & more | 0.825 | 0.830 |", difference);
    }

    [Fact]
    public void AMissingOrExtraLineIsADifference()
    {
        var full = NotebookFingerprint.Of(Run());
        var shorter = NotebookFingerprint.Parse(string.Join("\n", full.Lines.SkipLast(1)));
        Assert.Contains("this run: (no more lines)", full.FirstDifference(shorter));
        Assert.Contains("recorded: (no more lines)", shorter.FirstDifference(full));
    }

    [Fact]
    public void ErrorsAndStderrAreInTheFingerprint()
    {
        var failed = Run();
        failed.Cells[^1].Outputs.Add(CellOutput.Stream("stderr", "warning: NaN loss at step 3\n"));
        failed.Cells[^1].Outputs.Add(CellOutput.Error("InvalidOperationException", "NaN loss", []));
        var lines = NotebookFingerprint.Of(failed).Lines;
        Assert.Contains("3! warning: NaN loss at step 3", lines);
        Assert.Contains("3! InvalidOperationException: NaN loss", lines);
    }

    [Fact]
    public void TheFileReadsBackAsWrittenAndSaysHowToReRecord()
    {
        var fingerprint = NotebookFingerprint.Of(Run());
        var text = fingerprint.ToText("03-prompt-tuning.ipynb", "kit run 03-prompt-tuning.ipynb --inplace");
        Assert.StartsWith("# Quick-profile fingerprint of 03-prompt-tuning.ipynb", text);
        Assert.Contains("kit run 03-prompt-tuning.ipynb --inplace", text);
        Assert.Equal(fingerprint.Lines, NotebookFingerprint.Parse(text).Lines);
        Assert.Equal(fingerprint.Lines, NotebookFingerprint.Parse(text.Replace("\n", "\r\n")).Lines);
    }

    [Fact]
    public void LivesInAFingerprintsFolderBesideTheNotebook() =>
        Assert.Equal(Path.Combine(Path.GetFullPath("notebooks"), "fingerprints", "03-prompt-tuning.txt"),
            NotebookFingerprint.PathFor(Path.Combine("notebooks", "03-prompt-tuning.ipynb")));

    [Theory]
    [InlineData("step ms", true)]
    [InlineData("seconds", true)]
    [InlineData("peak +MiB", true)]
    [InlineData("training time", true)]
    [InlineData("merged / unmerged (medians)", true)]
    [InlineData("min ms", true)]
    [InlineData("min", false)]          // 04's table: the lowest accuracy over seeds
    [InlineData("test acc", false)]
    [InlineData("adapter bytes", false)]
    [InlineData("% while training", false)]
    public void MeasuredColumnsAreThoseOfTimeAndMemory(string header, bool measured) =>
        Assert.Equal(measured, OutputMask.IsMeasuredColumn(header));

    [Theory]
    [InlineData("from /work/main/data/models/tiny-gpt", "from <path>")]
    [InlineData("(cached in /root/.cache/peftkit/native/x-1)", "(cached in <path>)")]
    [InlineData(@"saved to C:\Users\me\adapter", "saved to <path>")]
    [InlineData("step 4/8, n/a, 12.5 steps/s", "step 4/8, n/a, # steps/s")]
    [InlineData("merged / unmerged 0.94", "merged / unmerged 0.94")]
    public void PathsAreMaskedAndFractionsAreNot(string text, string masked) => Assert.Equal(masked, OutputMask.Apply(text));
}
