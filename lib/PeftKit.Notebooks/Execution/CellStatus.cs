namespace PeftKit.Notebooks.Execution;

/// <summary>How a cell ended.</summary>
public enum CellStatus
{
    /// <summary>Ran without an error output.</summary>
    Succeeded,
    /// <summary>Produced an error output (directive, restore, compile or runtime error).</summary>
    Failed,
    /// <summary>Did not finish within the cell timeout.</summary>
    TimedOut,
    /// <summary>Not a C# code cell (markdown/raw), or not run because an earlier cell failed.</summary>
    Skipped,
}
