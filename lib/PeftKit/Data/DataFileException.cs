namespace PeftKit.Data;

/// <summary>A dataset file is missing or malformed. The message names the file (and line) and what to do.</summary>
public sealed class DataFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DataFileException(string path, int? line, string message, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = path;
        Line = line;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>1-based line number for a malformed line; null for whole-file problems.</summary>
    public int? Line { get; }
}
