namespace PeftKit.Notebooks.Model;

/// <summary>The nbformat output types.</summary>
public enum OutputKind
{
    /// <summary><c>stream</c>: text written to stdout or stderr.</summary>
    Stream,
    /// <summary><c>display_data</c>: a MIME bundle shown by a display call.</summary>
    DisplayData,
    /// <summary><c>execute_result</c>: the value of the cell's trailing expression.</summary>
    ExecuteResult,
    /// <summary><c>error</c>: a compile or runtime error.</summary>
    Error,
}
