namespace PeftKit.Notebooks.Model;

/// <summary>The nbformat cell types.</summary>
public enum CellType
{
    /// <summary>A code cell (executed by a kernel).</summary>
    Code,
    /// <summary>A Markdown cell (kept as it is).</summary>
    Markdown,
    /// <summary>A raw cell (kept as it is).</summary>
    Raw,
}
