namespace PeftKit.Notebooks.Packages;

/// <summary>A <c>#r "nuget: …"</c> or <c>#r "x.dll"</c> reference cannot be satisfied (restore failed, conflict, missing file).</summary>
public sealed class NotebookPackageException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NotebookPackageException(string message, Exception? inner = null) : base(message, inner) { }
}
