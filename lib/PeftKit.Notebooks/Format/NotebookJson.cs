using System.Text.Json;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Format;

/// <summary>
/// What the reader and the writer agree on: the deepest nesting either handles, and the checks System.Text.Json's
/// node API leaves to the caller (duplicate keys, string escapes that are not valid UTF-16), done in one pass over
/// the bytes before anything is built, so every problem is reported with its JSON path.
/// </summary>
internal static class NotebookJson
{
    /// <summary>
    /// Deepest nesting of objects and arrays, counting the top-level object as 1. The reader rejects deeper files
    /// before running anything, and the writer uses the same limit, so whatever the reader accepts can be written.
    /// </summary>
    internal const int MaxDepth = 256;

    /// <summary>Throws a <see cref="NotebookFormatException"/> naming the file, the JSON path and the problem.</summary>
    internal static void Validate(ReadOnlySpan<byte> utf8, string name)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
        var frames = new Stack<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var path = ValuePath(frames);
                        if (frames.Count >= MaxDepth)
                            throw new NotebookFormatException(
                                $"{name}: {path}: nested deeper than {MaxDepth} levels of objects and arrays; the kit reads and writes at most {MaxDepth}.");
                        Advance(frames);
                        frames.Push(new Frame(path, reader.TokenType == JsonTokenType.StartObject));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var frame = frames.Peek();
                        var key = Text(ref reader, name, $"{frame.Path} (a key)");
                        if (!frame.Keys!.Add(key))
                            throw new NotebookFormatException(
                                $"{name}: {Child(frame.Path, key)}: duplicate key \"{key}\" (a JSON object must not repeat a key; keep one of them).");
                        frame.Key = key;
                        break;
                    case JsonTokenType.String:
                        Text(ref reader, name, ValuePath(frames));
                        Advance(frames);
                        break;
                    default:
                        Advance(frames);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new NotebookFormatException(
                $"{name}: malformed JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {FirstSentence(e.Message)}", e);
        }
    }

    /// <summary>The string token's text; an escape such as \ud800 without its pair cannot become a .NET string.</summary>
    static string Text(ref Utf8JsonReader reader, string name, string path)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException e)
        {
            throw new NotebookFormatException(
                $"{name}: {path}: a \\u escape in this string is half of a UTF-16 surrogate pair without the other half, which is not text; " +
                "remove it or write the whole character.", e);
        }
    }

    static string ValuePath(Stack<Frame> frames) => frames.TryPeek(out var f)
        ? f.IsObject ? Child(f.Path, f.Key!) : $"{Root(f.Path)}[{f.Index}]"
        : "(top level)";

    static void Advance(Stack<Frame> frames)
    {
        if (frames.TryPeek(out var f) && !f.IsObject)
            f.Index++;
    }

    static string Root(string path) => path == "(top level)" ? "" : path;

    static string Child(string path, string key)
    {
        bool plain = key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
        return plain ? (Root(path) is { Length: > 0 } p ? $"{p}.{key}" : key) : $"{Root(path)}[\"{key}\"]";
    }

    internal static string FirstSentence(string message)
    {
        int i = message.IndexOf(" LineNumber:", StringComparison.Ordinal) is >= 0 and var l ? l : message.IndexOf(" Path:", StringComparison.Ordinal);
        return i > 0 ? message[..i] : message;
    }

    /// <summary>An open object or array: its path, the keys seen so far (objects) or the next index (arrays).</summary>
    sealed class Frame(string path, bool isObject)
    {
        public string Path { get; } = path;
        public bool IsObject { get; } = isObject;
        public HashSet<string>? Keys { get; } = isObject ? new(StringComparer.Ordinal) : null;
        public string? Key { get; set; }
        public int Index { get; set; }
    }
}
