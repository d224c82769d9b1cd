using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Format;

/// <summary>Writes notebooks as nbformat 4.5 (cell ids; sources and text outputs as arrays of lines).</summary>
public static class NotebookWriter
{
    static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The notebook as nbformat 4.5 JSON text.</summary>
    public static string ToJson(Notebook notebook)
    {
        var root = new JsonObject
        {
            ["cells"] = new JsonArray(notebook.Cells.Select(Cell).ToArray<JsonNode?>()),
            ["metadata"] = notebook.Metadata.DeepClone(),
            ["nbformat"] = 4,
            ["nbformat_minor"] = 5,
        };
        return root.ToJsonString(Options) + "\n";
    }

    /// <summary>Writes the notebook atomically: to a temporary file beside <paramref name="path"/>, then moved over it.</summary>
    public static void WriteFile(Notebook notebook, string path) => AtomicFile.WriteAllText(path, ToJson(notebook));

    static JsonObject Cell(NotebookCell cell)
    {
        var obj = new JsonObject
        {
            ["cell_type"] = cell.Type switch { CellType.Code => "code", CellType.Markdown => "markdown", _ => "raw" },
            ["id"] = cell.Id,
            ["metadata"] = cell.Metadata.DeepClone(),
            ["source"] = Lines(cell.Source),
        };
        if (cell.Attachments is not null && cell.Type != CellType.Code)
            obj["attachments"] = cell.Attachments.DeepClone();
        if (cell.Type == CellType.Code)
        {
            obj["execution_count"] = cell.ExecutionCount;
            obj["outputs"] = new JsonArray(cell.Outputs.Select(Output).ToArray<JsonNode?>());
        }
        return obj;
    }

    static JsonObject Output(CellOutput output) => output.Kind switch
    {
        OutputKind.Stream => new JsonObject
        {
            ["name"] = output.StreamName ?? "stdout",
            ["output_type"] = "stream",
            ["text"] = Lines(output.Text),
        },
        OutputKind.Error => new JsonObject
        {
            ["ename"] = output.EName,
            ["evalue"] = output.EValue,
            ["output_type"] = "error",
            ["traceback"] = new JsonArray(output.Traceback.Select(t => (JsonNode?)t).ToArray()),
        },
        OutputKind.ExecuteResult => new JsonObject
        {
            ["data"] = Bundle(output.Data),
            ["execution_count"] = output.ExecutionCount,
            ["metadata"] = output.Metadata.DeepClone(),
            ["output_type"] = "execute_result",
        },
        _ => new JsonObject
        {
            ["data"] = Bundle(output.Data),
            ["metadata"] = output.Metadata.DeepClone(),
            ["output_type"] = "display_data",
        },
    };

    static JsonObject Bundle(Dictionary<string, JsonNode?> data)
    {
        var obj = new JsonObject();
        foreach (var (mime, value) in data)
            obj[mime] = !NotebookReader.IsJsonMime(mime) && value is JsonValue v && v.TryGetValue<string>(out var s) ? Lines(s) : value?.DeepClone();
        return obj;
    }

    /// <summary>Splits text after each '\n' (the nbformat convention for multiline strings).</summary>
    internal static JsonArray Lines(string text)
    {
        var lines = new JsonArray();
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\n')
                continue;
            lines.Add((JsonNode?)text[start..(i + 1)]);
            start = i + 1;
        }
        if (start < text.Length)
            lines.Add((JsonNode?)text[start..]);
        return lines;
    }
}
