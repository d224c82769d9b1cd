namespace PeftKit.Notebooks.Model;

/// <summary>A notebook file is not valid nbformat 4 JSON. The message names the file and the key or offset.</summary>
public sealed class NotebookFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, where, and what to do.</param>
    /// <param name="inner">The underlying parse error, if any.</param>
    public NotebookFormatException(string message, Exception? inner = null) : base(message, inner) { }
}
