using System.Diagnostics;
using PeftKit.Notebooks.Language;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Execution;

/// <summary>
/// Runs a notebook's C# cells in order in one Roslyn script state (POLYGLOT.md semantics) and records outputs,
/// execution counts and per-cell timings in the notebook. One notebook runs at a time per process (the current
/// directory and Console are process-wide); concurrent calls wait.
/// </summary>
public static class NotebookExecutor
{
    static readonly SemaphoreSlim OneAtATime = new(1, 1);

    /// <summary>Runs <paramref name="notebook"/>; the returned result carries the same notebook with its outputs.</summary>
    public static async Task<NotebookRunResult> RunAsync(Notebook notebook, NotebookRunOptions options, INotebookProgress? progress = null, CancellationToken cancel = default)
    {
        await OneAtATime.WaitAsync(cancel);
        var previousDirectory = Environment.CurrentDirectory;
        var session = new KernelSession(options);
        var clock = Stopwatch.StartNew();
        int run = 0, codeCells = notebook.Cells.Count(c => c.Type == CellType.Code);
        string? firstError = null;
        var status = NotebookStatus.Succeeded;
        try
        {
            Environment.CurrentDirectory = options.WorkingDirectory;
            session.Activate();
            for (int i = 0; i < notebook.Cells.Count; i++)
            {
                var cell = notebook.Cells[i];
                progress?.CellStarting(i + 1, notebook.Cells.Count, cell);
                var cellClock = Stopwatch.StartNew();
                var kernel = CellLanguage.Of(cell, notebook);
                var stop = status == NotebookStatus.TimedOut || (status == NotebookStatus.Failed && !options.ContinueOnError);
                if (cell.Type != CellType.Code || stop)
                {
                    progress?.CellFinished(i + 1, notebook.Cells.Count, cell, CellStatus.Skipped, cellClock.Elapsed);
                    continue;
                }
                var (cellStatus, error) = await session.RunCellAsync(cell, i + 1, kernel, cancel);
                run++;
                if (cellStatus != CellStatus.Succeeded)
                {
                    firstError ??= error;
                    if (status == NotebookStatus.Succeeded || cellStatus == CellStatus.TimedOut)
                        status = cellStatus == CellStatus.TimedOut ? NotebookStatus.TimedOut : NotebookStatus.Failed;
                }
                progress?.CellFinished(i + 1, notebook.Cells.Count, cell, cellStatus, cellClock.Elapsed);
            }
        }
        finally
        {
            session.Deactivate();
            Environment.CurrentDirectory = previousDirectory;
            OneAtATime.Release();
        }
        return new NotebookRunResult(notebook, status, run, codeCells, clock.Elapsed, firstError);
    }
}
