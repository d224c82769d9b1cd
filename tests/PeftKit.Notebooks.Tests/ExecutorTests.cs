using PeftKit.Notebooks.Execution;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

public class ExecutorTests
{
    [Fact]
    public async Task PolyglotDialectProducesExpectedOutputs()
    {
        var r = await Fixture.RunAsync("polyglot.ipynb");
        var c = r.Notebook.Cells;
        Assert.True(r.Status == NotebookStatus.Succeeded, r.FirstError);
        Assert.Empty(c[0].Outputs); // markdown
        var result = Assert.Single(c[1].Outputs);
        Assert.Equal(OutputKind.ExecuteResult, result.Kind);
        Assert.Equal("3", result.GetText("text/plain"));
        Assert.Equal("<div class=\"dni-plaintext\"><pre>3</pre></div>", result.GetText("text/html"));
        Assert.Equal(1, result.ExecutionCount); // the first code cell
        // stdout / stderr in the order written
        Assert.Equal([("stdout", "hello\n"), ("stderr", "oops\n"), ("stdout", "again\n")], c[2].Outputs.Select(o => (o.StreamName!, o.Text)));
        Assert.Equal("now a string", Assert.Single(c[3].Outputs).GetText("text/plain")); // redeclared variable
        Assert.Equal("1", c[4].Text());
        Assert.Equal("2", c[5].Text()); // redeclared class
        Assert.Empty(c[6].Outputs); // comment-only
        Assert.Empty(c[7].Outputs); // empty
        Assert.Equal("from data file", c[8].Text()); // relative file I/O in the notebook folder
        Assert.Equal("second", Assert.Single(c[9].Outputs).GetText("text/plain")); // display + Update
        Assert.Equal(OutputKind.DisplayData, c[9].Outputs[0].Kind);
        var point = Assert.Single(c[10].Outputs);
        Assert.Equal(["text/plain"], point.Data.Keys);
        Assert.Equal("P(1,2)", point.GetText("text/plain"));
        Assert.Equal("5050", c[11].Outputs[0].GetText("text/plain"));
        Assert.Matches(@"^Wall time: \d+\.\d\dms$", c[11].Outputs[1].GetText("text/plain"));
        Assert.Equal("<null>", c[12].Text());
        Assert.Contains("<td>2</td><td>3</td>", c[13].Outputs[0].GetText("text/html"));
        Assert.Equal("[ 1, 2, 3 ]", c[13].Outputs[0].GetText("text/plain"));
        Assert.Equal("void trailing\n", Assert.Single(c[14].Outputs).Text);
        Assert.Equal("from thread\nfrom task\n", c[15].Text());
        Assert.Equal("<b>bold</b>", c[16].Outputs[0].GetText("text/html"));
        Assert.True(c.Where(x => x.Type == CellType.Code).All(x => x.Metadata["execution"]?["shell.execute_reply"] is not null));
    }

    [Theory]
    [InlineData("dotnet-interactive.ipynb")]
    [InlineData("bare-kernelspec.ipynb")]
    [InlineData("no-metadata.ipynb")]
    public async Task OtherDialectsRun(string file)
    {
        var r = await Fixture.RunAsync(file);
        Assert.True(r.Status == NotebookStatus.Succeeded, r.FirstError);
        var code = r.Notebook.Cells.Where(c => c.Type == CellType.Code).ToList();
        Assert.Equal("42", code[0].Text());
        Assert.Equal("a = 42\n", code[1].Text());
    }

    [Fact]
    public async Task CompileErrorHasCellRelativeLineAndStopsTheRun()
    {
        var r = await Fixture.RunAsync("compile-error.ipynb");
        Assert.Equal(NotebookStatus.Failed, r.Status);
        var error = Assert.Single(r.Notebook.Cells[1].Outputs);
        Assert.Equal("CompilationError", error.EName);
        Assert.Equal("(2,1): error CS0103: The name 'undefinedName' does not exist in the current context", error.EValue);
        Assert.Empty(r.Notebook.Cells[2].Outputs);
        Assert.Null(r.Notebook.Cells[2].ExecutionCount);
        Assert.Equal("Cell 2: (2,1): error CS0103: The name 'undefinedName' does not exist in the current context", r.FirstError);
    }

    [Fact]
    public async Task RuntimeErrorKeepsOutputBeforeItAndContinuesOnRequest()
    {
        var r = await Fixture.RunAsync("runtime-error.ipynb", continueOnError: true);
        Assert.Equal(NotebookStatus.Failed, r.Status);
        var outputs = r.Notebook.Cells[1].Outputs;
        Assert.Equal("before\n", outputs[0].Text);
        Assert.Equal("System.InvalidOperationException", outputs[1].EName);
        Assert.Equal("boom", outputs[1].EValue);
        Assert.Equal("System.InvalidOperationException: boom", outputs[1].Traceback[0]);
        Assert.Contains(outputs[1].Traceback, l => l.Contains("Submission#1", StringComparison.Ordinal));
        Assert.Equal("2", r.Notebook.Cells[2].Text()); // state kept after the exception
        Assert.Equal("Cell 2: System.InvalidOperationException: boom", r.FirstError);
    }

    [Fact]
    public async Task TimeoutStopsTheRun()
    {
        var r = await Fixture.RunAsync("timeout.ipynb", timeout: TimeSpan.FromSeconds(1), continueOnError: true);
        Assert.Equal(NotebookStatus.TimedOut, r.Status);
        var error = Assert.Single(r.Notebook.Cells[1].Outputs);
        Assert.Equal("TimeoutError", error.EName);
        Assert.Equal("Cell 2 did not finish within the timeout of 1 s. .NET cannot stop a running thread, so the cell may still be running in the background: " +
                     "its kernel session was abandoned, later cells were not run (not even with --continue-on-error) and anything the cell writes from now on is discarded.",
            error.EValue);
        Assert.Equal(error.EValue, r.FirstError);
        Assert.Empty(r.Notebook.Cells[2].Outputs); // not run on the abandoned state, despite continueOnError
        Assert.Null(r.Notebook.Cells[2].ExecutionCount);
        Assert.Equal(2, r.CellsRun);
    }

    [Fact]
    public async Task TimedOutCellThatKeepsWritingDoesNotReachLaterNotebooks()
    {
        // The timed-out cell writes "late" to Console and display() every 100 ms for 30 s. Before the fix its output went
        // to whichever cell was running (here: the next notebook's), and into its own notebook's output list.
        await Fixture.RunAsync("no-metadata.ipynb"); // warm Roslyn up, so that cell 1 compiles well within the timeout
        var r = await Fixture.RunAsync("timeout-late.ipynb", timeout: TimeSpan.FromSeconds(1));
        Assert.Equal(NotebookStatus.TimedOut, r.Status);
        Assert.StartsWith("Cell 2 did not finish", r.FirstError);
        var timedOut = r.Notebook.Cells[1].Outputs;
        var next = await Fixture.RunAsync("after-timeout.ipynb"); // runs 1 s while the zombie keeps writing
        Assert.True(next.Status == NotebookStatus.Succeeded, next.FirstError);
        Assert.Equal(("stdout", "mine\n"), (Assert.Single(next.Notebook.Cells[0].Outputs).StreamName, next.Notebook.Cells[0].Outputs[0].Text));
        // The abandoned cell's outputs ended with the timeout error and stayed so (the notebook may already be written).
        Assert.Equal("TimeoutError", timedOut[^1].EName);
        var count = timedOut.Count;
        await Task.Delay(300);
        Assert.Equal(count, timedOut.Count);
        Assert.Equal("TimeoutError", timedOut[^1].EName);
    }

    [Fact]
    public async Task UnknownKernelNamesCellLineAndKernel()
    {
        var r = await Fixture.RunAsync("unknown-kernel.ipynb");
        Assert.Equal(NotebookStatus.Failed, r.Status);
        Assert.Equal("Cell 2, line 1: `#!fsharp` switches to the fsharp kernel, which `kit run` cannot execute (it runs C# only). Move that code to a C# cell or remove it.",
            Assert.Single(r.Notebook.Cells[1].Outputs).EValue);
    }

    [Fact]
    public async Task NuGetReferenceWithoutVersion()
    {
        var r = await Fixture.RunAsync("nuget.ipynb");
        Assert.True(r.Status == NotebookStatus.Succeeded, r.FirstError);
        Assert.Equal("{\"A\":1}", r.Notebook.Cells[0].Text());
    }
}
