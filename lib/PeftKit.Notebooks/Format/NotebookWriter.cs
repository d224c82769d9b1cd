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
        MaxDepth = NotebookJson.MaxDepth, // the reader's limit: whatever it reads can be written, and nothing deeper is written
    };

    /// <summary>The notebook as nbformat 4.5 JSON text. Unpaired surrogates in strings are written as U+FFFD.</summary>
    /// <exception cref="InvalidOperationException">Metadata or output JSON built in code is nested deeper than the reader reads.</exception>
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

    /// <summary>
    /// Writes an executed notebook to <paramref name="path"/> (atomically: nothing half-written is ever left there) and,
    /// when that fails, saves it elsewhere rather than lose what ran: as a notebook beside the target or in the temp
    /// folder, or, when the notebook cannot be written as JSON at all, as plain text (sources and text outputs).
    /// </summary>
    /// <returns>Null when <paramref name="path"/> was written; otherwise where the notebook was saved instead, and why.</returns>
    /// <exception cref="IOException">Not even the rescue copy could be written anywhere (its message names every attempt).</exception>
    public static RescuedNotebook? WriteFileOrRescue(Notebook notebook, string path)
    {
        string? json = null;
        string reason;
        try
        {
            json = ToJson(notebook);
            AtomicFile.WriteAllText(path, json);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or NotSupportedException or ArgumentException)
        {
            reason = e.Message;
        }
        var stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var stem = Path.GetFileNameWithoutExtension(path) is { Length: > 0 } s ? s : "notebook";
        var folders = new[] { Path.GetDirectoryName(Path.GetFullPath(path))!, Path.Combine(Path.GetTempPath(), "peftkit-rescued") };
        var tried = new List<string>();
        foreach (var folder in folders)
        {
            var rescue = Path.Combine(folder, $"{stem}.rescued-{stamp}-{Guid.NewGuid().ToString("N")[..6]}{(json is null ? ".txt" : ".ipynb")}");
            try
            {
                AtomicFile.WriteAllText(rescue, json ?? PlainText(notebook));
                return new RescuedNotebook(rescue, reason);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                tried.Add($"{rescue}: {e.Message}");
            }
        }
        throw new IOException($"Could not write {path} ({reason}), nor a rescue copy: {string.Join("; ", tried)}");
    }

    /// <summary>Every cell's source and text outputs, for a notebook that cannot be written as JSON.</summary>
    static string PlainText(Notebook notebook)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            sb.Append($"# cell {i + 1} ({cell.Type.ToString().ToLowerInvariant()})\n{cell.Source}\n");
            foreach (var output in cell.Outputs)
            {
                var text = output.Kind switch
                {
                    OutputKind.Stream => output.Text,
                    OutputKind.Error => $"{output.EName}: {output.EValue}\n{string.Join("\n", output.Traceback)}",
                    _ => output.GetText("text/plain") ?? $"({string.Join(", ", output.Data.Keys)})",
                };
                sb.Append($"## output ({output.Kind})\n{text}\n");
            }
        }
        return sb.ToString();
    }

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
            obj[mime] = NotebookReader.IsJsonMime(mime) || IsBase64Image(mime) || value is not JsonValue v || !v.TryGetValue<string>(out var s)
                ? value?.DeepClone()
                : Lines(s);
        return obj;
    }

    /// <summary>Binary images are one base64 string, as Jupyter writes them (VS Code decodes only that form); SVG is text.</summary>
    static bool IsBase64Image(string mime) => mime.StartsWith("image/", StringComparison.Ordinal) && mime != "image/svg+xml";

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
