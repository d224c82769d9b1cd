using System.Text.Json.Nodes;

namespace PeftKit.Notebooks.Model;

/// <summary>One output of a code cell (nbformat 4 output).</summary>
public sealed class CellOutput
{
    /// <summary>The output type.</summary>
    public OutputKind Kind { get; init; }

    /// <summary>For streams: <c>stdout</c> or <c>stderr</c>.</summary>
    public string? StreamName { get; init; }

    /// <summary>For streams: the text written.</summary>
    public string Text { get; set; } = "";

    /// <summary>For display data and execute results: MIME type → value (a string for text types, JSON otherwise).</summary>
    public Dictionary<string, JsonNode?> Data { get; set; } = new();

    /// <summary>For display data and execute results: output metadata.</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>For execute results: the execution count of the cell.</summary>
    public int? ExecutionCount { get; set; }

    /// <summary>For errors: the exception name.</summary>
    public string EName { get; init; } = "";

    /// <summary>For errors: the error message.</summary>
    public string EValue { get; init; } = "";

    /// <summary>For errors: the traceback lines.</summary>
    public List<string> Traceback { get; init; } = new();

    /// <summary>Creates a stream output.</summary>
    public static CellOutput Stream(string name, string text) => new() { Kind = OutputKind.Stream, StreamName = name, Text = text };

    /// <summary>Creates a display_data output from MIME type → text.</summary>
    public static CellOutput Display(IEnumerable<KeyValuePair<string, string>> data) =>
        new() { Kind = OutputKind.DisplayData, Data = ToNodes(data) };

    /// <summary>Creates an execute_result output from MIME type → text.</summary>
    public static CellOutput Result(IEnumerable<KeyValuePair<string, string>> data, int executionCount) =>
        new() { Kind = OutputKind.ExecuteResult, Data = ToNodes(data), ExecutionCount = executionCount };

    /// <summary>Creates an error output.</summary>
    public static CellOutput Error(string ename, string evalue, IEnumerable<string> traceback) =>
        new() { Kind = OutputKind.Error, EName = ename, EValue = evalue, Traceback = traceback.ToList() };

    /// <summary>The text of one MIME type of this output, or null when absent or not text.</summary>
    public string? GetText(string mimeType) =>
        Data.TryGetValue(mimeType, out var node) && node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>
    /// Formatted text to nbformat values: a JSON MIME type (<c>application/json</c>, <c>application/*+json</c>, e.g. a
    /// Plotly figure) holds the JSON itself, as Jupyter stores it and its renderers expect; every other type the text.
    /// </summary>
    internal static Dictionary<string, JsonNode?> ToNodes(IEnumerable<KeyValuePair<string, string>> data) =>
        data.ToDictionary(kv => kv.Key, kv => Format.NotebookReader.IsJsonMime(kv.Key) ? ParseJson(kv.Key, kv.Value) : JsonValue.Create(kv.Value));

    static JsonNode? ParseJson(string mime, string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = Format.NotebookJson.MaxDepth });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidOperationException($"A formatter for {mime} wrote text that is not JSON ({e.Message}); a JSON MIME type must hold JSON.", e);
        }
    }
}
