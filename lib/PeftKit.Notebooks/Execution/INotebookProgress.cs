using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Execution;

/// <summary>Receives per-cell progress (the engine itself never prints).</summary>
public interface INotebookProgress
{
    /// <summary>A cell is about to run. <paramref name="cellNumber"/> is 1-based among all cells.</summary>
    void CellStarting(int cellNumber, int cellCount, NotebookCell cell);

    /// <summary>A cell finished (or was skipped).</summary>
    void CellFinished(int cellNumber, int cellCount, NotebookCell cell, CellStatus status, TimeSpan elapsed);
}
