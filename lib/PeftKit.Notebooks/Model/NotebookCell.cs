using System.Text.Json.Nodes;

namespace PeftKit.Notebooks.Model;

/// <summary>One notebook cell.</summary>
public sealed class NotebookCell
{
    /// <summary>The cell id (nbformat 4.5: 1–64 characters of letters, digits, '-' and '_').</summary>
    public string Id { get; set; } = NewId();

    /// <summary>Code, markdown or raw.</summary>
    public CellType Type { get; set; }

    /// <summary>The cell source as one string (lines joined with their '\n').</summary>
    public string Source { get; set; } = "";

    /// <summary>Cell metadata, kept as read (kernel names, tags, timings).</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>Outputs of a code cell.</summary>
    public List<CellOutput> Outputs { get; set; } = new();

    /// <summary>Execution count of a code cell; null when not run.</summary>
    public int? ExecutionCount { get; set; }

    /// <summary>Markdown/raw cell attachments, kept as read.</summary>
    public JsonObject? Attachments { get; set; }

    /// <summary>The cell's tags (metadata.tags).</summary>
    public IReadOnlyList<string> Tags =>
        Metadata["tags"] is JsonArray a ? a.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : "").ToList() : [];

    /// <summary>A fresh random cell id.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N")[..16];
}
