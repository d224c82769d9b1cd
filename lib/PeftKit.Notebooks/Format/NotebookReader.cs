using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Format;

/// <summary>
/// Reads nbformat 4.2–4.5 notebooks. Anything malformed (bad JSON, bad UTF-8, broken surrogate escapes, duplicate keys,
/// nesting deeper than the writer handles, missing keys, wrong types) becomes a <see cref="NotebookFormatException"/>
/// naming the file and the key path or byte offset; nothing else is thrown.
/// </summary>
public static class NotebookReader
{
    /// <summary>Reads a notebook file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="NotebookFormatException">The file cannot be read or is not a valid nbformat 4 notebook.</exception>
    public static Notebook ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Notebook not found: {path}", path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NotebookFormatException($"{path}: cannot be read: {e.Message}", e);
        }
        return Read(bytes, path);
    }

    /// <summary>Reads a notebook from UTF-8 bytes; <paramref name="name"/> is used in error messages.</summary>
    public static Notebook Read(byte[] utf8, string name)
    {
        try
        {
            _ = Strict.GetCharCount(utf8);
        }
        catch (DecoderFallbackException e)
        {
            throw new NotebookFormatException($"{name}: not valid UTF-8 at byte {e.Index} (notebooks must be saved as UTF-8).", e);
        }
        ReadOnlySpan<byte> json = utf8;
        if (json.StartsWith("\uFEFF"u8))
            json = json[3..];
        return Parse(json, name);
    }

    /// <summary>Reads a notebook from JSON text; <paramref name="name"/> is used in error messages.</summary>
    public static Notebook Read(string json, string name)
    {
        byte[] utf8;
        try
        {
            utf8 = Strict.GetBytes(json.Length > 0 && json[0] == '\uFEFF' ? json[1..] : json);
        }
        catch (EncoderFallbackException e)
        {
            throw new NotebookFormatException($"{name}: character {e.Index} is half of a UTF-16 surrogate pair without the other half, which is not text.", e);
        }
        return Parse(utf8, name);
    }

    static readonly UTF8Encoding Strict = new(false, throwOnInvalidBytes: true);

    static Notebook Parse(ReadOnlySpan<byte> utf8, string name)
    {
        // Duplicate keys, broken surrogate escapes and excessive depth, reported with their JSON path, before any node exists.
        NotebookJson.Validate(utf8, name);
        var root = JsonNode.Parse(utf8, documentOptions: new JsonDocumentOptions { MaxDepth = NotebookJson.MaxDepth });
        return new Reader(name).Notebook(root);
    }

    sealed class Reader(string name)
    {
        NotebookFormatException Error(string path, string problem) => new($"{name}: {path}: {problem}");

        static string Kind(JsonNode? node) => node switch
        {
            null => "null",
            JsonObject => "an object",
            JsonArray => "an array",
            JsonValue v => v.GetValueKind() switch
            {
                JsonValueKind.String => "a string",
                JsonValueKind.Number => "a number",
                JsonValueKind.True or JsonValueKind.False => "a boolean",
                _ => "a value",
            },
            _ => "a value",
        };

        JsonObject Obj(JsonNode? node, string path) =>
            node as JsonObject ?? throw Error(path, $"expected an object, found {Kind(node)}.");

        JsonArray Arr(JsonNode? node, string path) =>
            node as JsonArray ?? throw Error(path, $"expected an array, found {Kind(node)}.");

        string Str(JsonNode? node, string path) =>
            node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
                : throw Error(path, $"expected a string, found {Kind(node)}.");

        int Int(JsonNode? node, string path) =>
            node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i
                : node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) < int.MaxValue ? (int)x
                : throw Error(path, $"expected an integer, found {Kind(node)}.");

        JsonNode? Required(JsonObject obj, string key, string path) =>
            obj.TryGetPropertyValue(key, out var v) ? v : throw Error(path, $"missing required key \"{key}\".");

        /// <summary>nbformat "multiline string": a string or an array of strings, concatenated.</summary>
        string Multiline(JsonNode? node, string path)
        {
            if (node is JsonArray a)
            {
                var sb = new StringBuilder();
                for (int i = 0; i < a.Count; i++)
                    sb.Append(Str(a[i], $"{path}[{i}]"));
                return sb.ToString();
            }
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
                return v.GetValue<string>();
            throw Error(path, $"expected a string or an array of strings, found {Kind(node)}.");
        }

        public Notebook Notebook(JsonNode? root)
        {
            var obj = Obj(root, "(top level)");
            int major = Int(Required(obj, "nbformat", "(top level)"), "nbformat");
            if (major != 4)
                throw Error("nbformat", $"nbformat {major} is not supported; only nbformat 4 notebooks can be read (convert with `jupyter nbconvert --to notebook`).");
            int minor = Int(Required(obj, "nbformat_minor", "(top level)"), "nbformat_minor");
            if (minor < 0)
                throw Error("nbformat_minor", $"must not be negative, found {minor}.");
            var metadata = obj.TryGetPropertyValue("metadata", out var m) ? Obj(m, "metadata") : new JsonObject();
            var cells = Arr(Required(obj, "cells", "(top level)"), "cells");
            var notebook = new Notebook { FormatMinor = minor, Metadata = (JsonObject)metadata.DeepClone() };
            var ids = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < cells.Count; i++)
            {
                var cell = Cell(cells[i], $"cells[{i}]");
                if (!IsValidId(cell.Id) || !ids.Add(cell.Id))
                {
                    cell.Id = Model.NotebookCell.NewId();
                    ids.Add(cell.Id);
                }
                notebook.Cells.Add(cell);
            }
            return notebook;
        }

        static bool IsValidId(string id) =>
            id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

        NotebookCell Cell(JsonNode? node, string path)
        {
            var obj = Obj(node, path);
            string type = Str(Required(obj, "cell_type", path), $"{path}.cell_type");
            var cell = new NotebookCell
            {
                Type = type switch
                {
                    "code" => CellType.Code,
                    "markdown" => CellType.Markdown,
                    "raw" => CellType.Raw,
                    _ => throw Error($"{path}.cell_type", $"unknown cell type \"{type}\" (expected code, markdown or raw)."),
                },
                Source = Multiline(Required(obj, "source", path), $"{path}.source"),
                Metadata = obj.TryGetPropertyValue("metadata", out var md) ? (JsonObject)Obj(md, $"{path}.metadata").DeepClone() : new JsonObject(),
            };
            if (obj.TryGetPropertyValue("id", out var id))
                cell.Id = Str(id, $"{path}.id");
            if (obj.TryGetPropertyValue("attachments", out var att) && att is not null)
                cell.Attachments = (JsonObject)Obj(att, $"{path}.attachments").DeepClone();
            if (cell.Type != CellType.Code)
                return cell;
            if (obj.TryGetPropertyValue("execution_count", out var count) && count is not null)
                cell.ExecutionCount = Int(count, $"{path}.execution_count");
            if (obj.TryGetPropertyValue("outputs", out var outputs) && outputs is not null)
            {
                var array = Arr(outputs, $"{path}.outputs");
                for (int i = 0; i < array.Count; i++)
                    cell.Outputs.Add(Output(array[i], $"{path}.outputs[{i}]"));
            }
            return cell;
        }

        CellOutput Output(JsonNode? node, string path)
        {
            var obj = Obj(node, path);
            string type = Str(Required(obj, "output_type", path), $"{path}.output_type");
            switch (type)
            {
                case "stream":
                    return CellOutput.Stream(Str(Required(obj, "name", path), $"{path}.name"), Multiline(Required(obj, "text", path), $"{path}.text"));
                case "display_data":
                case "execute_result":
                    var output = new CellOutput
                    {
                        Kind = type == "display_data" ? OutputKind.DisplayData : OutputKind.ExecuteResult,
                        Data = MimeBundle(Required(obj, "data", path), $"{path}.data"),
                        Metadata = obj.TryGetPropertyValue("metadata", out var md) ? (JsonObject)Obj(md, $"{path}.metadata").DeepClone() : new JsonObject(),
                    };
                    if (type == "execute_result" && obj.TryGetPropertyValue("execution_count", out var c) && c is not null)
                        output.ExecutionCount = Int(c, $"{path}.execution_count");
                    return output;
                case "error":
                    var tb = Arr(Required(obj, "traceback", path), $"{path}.traceback");
                    return CellOutput.Error(
                        Str(Required(obj, "ename", path), $"{path}.ename"),
                        Str(Required(obj, "evalue", path), $"{path}.evalue"),
                        tb.Select((t, i) => Str(t, $"{path}.traceback[{i}]")).ToList());
                default:
                    throw Error($"{path}.output_type", $"unknown output type \"{type}\" (expected stream, display_data, execute_result or error).");
            }
        }

        Dictionary<string, JsonNode?> MimeBundle(JsonNode? node, string path)
        {
            var obj = Obj(node, path);
            var bundle = new Dictionary<string, JsonNode?>();
            foreach (var (mime, value) in obj)
            {
                // JSON MIME types (application/json, application/*+json) hold any JSON; the rest hold multiline strings.
                bundle[mime] = IsJsonMime(mime)
                    ? value?.DeepClone()
                    : JsonValue.Create(Multiline(value, $"{path}[\"{mime}\"]"));
            }
            return bundle;
        }
    }

    internal static bool IsJsonMime(string mime) =>
        mime == "application/json" || (mime.StartsWith("application/", StringComparison.Ordinal) && mime.EndsWith("+json", StringComparison.Ordinal));
}
