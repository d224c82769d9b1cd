using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Execution;

/// <summary>The outcome of running a notebook; <see cref="Notebook"/> holds the outputs (also after a failure).</summary>
/// <param name="Notebook">The notebook with outputs, execution counts and timings.</param>
/// <param name="Status">How the run ended.</param>
/// <param name="CellsRun">Code cells executed.</param>
/// <param name="CodeCells">Code cells in the notebook.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="FirstError">"Cell n: message" of the first failure, or null.</param>
public sealed record NotebookRunResult(Notebook Notebook, NotebookStatus Status, int CellsRun, int CodeCells, TimeSpan Elapsed, string? FirstError);
