using System.Text.Json.Nodes;

namespace PeftKit.Notebooks.Model;

/// <summary>An nbformat 4 notebook in memory.</summary>
public sealed class Notebook
{
    /// <summary>The nbformat minor version read (the writer always writes 4.5).</summary>
    public int FormatMinor { get; set; } = 5;

    /// <summary>Notebook metadata (kernelspec, language_info, polyglot_notebook…), kept as read.</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>The cells in order.</summary>
    public List<NotebookCell> Cells { get; set; } = new();
}
