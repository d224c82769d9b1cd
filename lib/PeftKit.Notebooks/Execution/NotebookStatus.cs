namespace PeftKit.Notebooks.Execution;

/// <summary>How a notebook run ended.</summary>
public enum NotebookStatus
{
    /// <summary>Every code cell ran without an error output.</summary>
    Succeeded,
    /// <summary>At least one cell produced an error output.</summary>
    Failed,
    /// <summary>A cell exceeded the timeout (the run stopped there).</summary>
    TimedOut,
}
