using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PeftKit.Data;

/// <summary>Reads and writes gzip-compressed JSON Lines with errors that name the file and line.</summary>
internal static class Jsonl
{
    static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serialises one record (properties in the given order) to a single JSON line without newline.</summary>
    public static string Line(params (string Name, object Value)[] properties)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                switch (value)
                {
                    case string s: w.WriteString(name, s); break;
                    case int i: w.WriteNumber(name, i); break;
                    default: throw new ArgumentException($"Unsupported JSON value type {value.GetType()} for '{name}'.");
                }
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes lines ('\n'-terminated, UTF-8) gzip-compressed; returns the uncompressed bytes.</summary>
    public static byte[] WriteGz(string path, IEnumerable<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines) sb.Append(line).Append('\n');
        var bytes = Encoding.UTF8.GetBytes(sb.ToString());
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = File.Create(path);
        using var gz = new GZipStream(file, CompressionLevel.SmallestSize);
        gz.Write(bytes);
        return bytes;
    }

    /// <summary>Reads every line of a gzip JSONL file, parsing each with <paramref name="parse"/>.</summary>
    /// <exception cref="DataFileException">The file is missing, not gzip, or a line is not the expected JSON object.</exception>
    public static List<T> ReadGz<T>(string path, Func<Record, T> parse)
    {
        if (!File.Exists(path))
            throw new DataFileException(path, null,
                $"Dataset file '{path}' does not exist. Run `kit data` to build the data folder (or set {DataRoot.EnvironmentVariable} to a folder that has it).");
        var result = new List<T>();
        string text;
        try
        {
            using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
            using var reader = new StreamReader(gz, new UTF8Encoding(false, throwOnInvalidBytes: true));
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new DataFileException(path, null, $"Dataset file '{path}' is not valid gzip-compressed UTF-8 ({e.Message}). Run `kit data` to rebuild it.", e);
        }
        int lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (line.Length == 0) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException e)
            {
                throw new DataFileException(path, lineNo, $"{path}:{lineNo}: not valid JSON ({e.Message}). Run `kit data` to rebuild the file.", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DataFileException(path, lineNo, $"{path}:{lineNo}: expected a JSON object, found {doc.RootElement.ValueKind}. Run `kit data` to rebuild the file.");
                result.Add(parse(new Record(path, lineNo, doc.RootElement)));
            }
        }
        return result;
    }

    /// <summary>One parsed line with typed accessors that report the file and line on error.</summary>
    public readonly record struct Record(string Path, int Line, JsonElement Element)
    {
        /// <summary>A required string property.</summary>
        public string String(string name) =>
            Element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String
                ? p.GetString()!
                : throw Missing(name, "a string");

        /// <summary>A required integer property, optionally restricted to [0, <paramref name="classes"/>).</summary>
        public int Int(string name, int classes = int.MaxValue)
        {
            if (!Element.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var v))
                throw Missing(name, "an integer");
            if (v < 0 || v >= classes)
                throw new DataFileException(Path, Line, $"{Path}:{Line}: \"{name}\" is {v}, outside 0..{classes - 1}. Run `kit data` to rebuild the file.");
            return v;
        }

        DataFileException Missing(string name, string what) =>
            new(Path, Line, $"{Path}:{Line}: property \"{name}\" is missing or not {what}. Run `kit data` to rebuild the file.");
    }
}
