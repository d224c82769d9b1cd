using System.Text;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Format;

namespace PeftKit.Notebooks.Tests.Fuzz;

/// <summary>
/// Seeded, reproducible mutations of a seed notebook: one structural edit (a third of the cases two or three) of its JSON tree (wrong types,
/// missing and duplicate keys, broken surrogate escapes, nesting around the reader's depth limit, odd numbers and keys),
/// then, for half the cases, one byte-level edit of the file (truncation, flipped or inserted bytes, invalid UTF-8
/// sequences, UTF-16, byte-order marks, trailing garbage). Each case reports the names of the edits it made.
/// </summary>
internal sealed class NotebookMutator(int seed)
{
    // Text markers put into the tree and replaced in the serialized text, for what a JsonNode cannot hold:
    // a repeated key and a lone surrogate escape.
    const string DuplicateMarker = "\u00a7dup{0}\u00a7";
    const string SurrogateMarker = "\u00a7sur\u00a7";

    static readonly string[] SurrogateEscapes = [@"\ud800", @"\udfff", @"\udc00\ud800", @"\ud800A", @"\ud83d\ude00", @"\u0000"];
    static readonly byte[][] BadUtf8 = [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xFF], [0xE2, 0x82]];

    readonly Random rng = new(seed);

    internal (List<string> Edits, byte[] Bytes) Next(byte[] seedNotebook)
    {
        var edits = new List<string>();
        var root = JsonNode.Parse(seedNotebook)!;
        var duplicates = new List<string>();
        for (int k = rng.Next(3) == 0 ? rng.Next(2, 4) : 1; k > 0; k--)
            edits.Add(Structural(ref root, duplicates));
        var text = root.ToJsonString(new()
        {
            WriteIndented = rng.Next(2) == 0, MaxDepth = 1000, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        for (int n = 0; n < duplicates.Count; n++)
        {
            var marker = $"\"{string.Format(DuplicateMarker, n)}\"";
            int at = text.IndexOf(marker, StringComparison.Ordinal); // gone when a later edit removed its object
            if (at >= 0)
                text = text[..at] + System.Text.Json.JsonSerializer.Serialize(duplicates[n]) + text[(at + marker.Length)..];
        }
        while (text.Contains(SurrogateMarker, StringComparison.Ordinal))
        {
            int at = text.IndexOf(SurrogateMarker, StringComparison.Ordinal);
            text = text[..at] + SurrogateEscapes[rng.Next(SurrogateEscapes.Length)] + text[(at + SurrogateMarker.Length)..];
        }
        var bytes = Encoding.UTF8.GetBytes(text);
        if (rng.Next(2) == 0)
        {
            var (edit, mutated) = ByteLevel(bytes);
            edits.Add(edit);
            bytes = mutated;
        }
        return (edits, bytes);
    }

    string Structural(ref JsonNode root, List<string> duplicates)
    {
        var nodes = new List<(JsonNode Parent, object Key, int Depth)>();
        Collect(root, 1, nodes);
        if (nodes.Count == 0)
        {
            root = new JsonObject();
            return "empty-root";
        }
        var (parent, key, depth) = nodes[rng.Next(nodes.Count)];
        switch (rng.Next(9))
        {
            case 0:
                Set(parent, key, Replacement());
                return "wrong-type";
            case 1:
                if (parent is JsonObject removeFrom)
                    removeFrom.Remove((string)key);
                else
                    ((JsonArray)parent).RemoveAt((int)key);
                return "remove";
            case 2:
                if (parent is not JsonObject obj)
                    return Structural(ref root, duplicates);
                // A second property with an existing key (spliced into the text; JsonObject refuses it).
                obj[string.Format(DuplicateMarker, duplicates.Count)] = Replacement() ?? "x";
                duplicates.Add((string)key);
                return "duplicate-key";
            case 3:
            {
                var target = Get(parent, key);
                if (target is JsonValue v && v.TryGetValue<string>(out var s))
                    Set(parent, key, s.Insert(rng.Next(s.Length + 1), SurrogateMarker));
                else if (parent is JsonObject named)
                {
                    named.Remove((string)key);
                    named[(string)key + SurrogateMarker] = target;
                }
                else
                    Set(parent, key, SurrogateMarker);
                return "surrogate-escape";
            }
            case 4:
            {
                // Nesting that ends within a few levels of the limit, on either side, or anywhere up to 300.
                int total = rng.Next(2) == 0 ? NotebookJson.MaxDepth + rng.Next(-3, 4) : rng.Next(1, 300);
                Set(parent, key, Nest(Math.Max(1, total - depth + 1)));
                return "deep";
            }
            case 5:
                Set(parent, key, rng.Next(8) switch
                {
                    0 => 4.0, 1 => 1e308, 2 => -1, 3 => long.MaxValue, 4 => 2.5, 5 => "4", 6 => 3, _ => 0,
                });
                return "odd-number";
            case 6:
                if (parent is not JsonObject withKey)
                    return Structural(ref root, duplicates);
                withKey[rng.Next(4) switch { 0 => "", 1 => "\u0001", 2 => "ключ", _ => "a.b[0]" }] = Replacement();
                return "odd-key";
            case 7:
                if (parent is not JsonArray array || array.Count == 0)
                    return Structural(ref root, duplicates);
                array.Add(array[rng.Next(array.Count)]?.DeepClone()); // a repeated cell, output or line
                return "repeat-element";
            default:
                Set(parent, key, new string('x', rng.Next(1, 5)) + "\n" + new string('\u00e9', rng.Next(0, 3000)));
                return "long-string";
        }
    }

    (string Edit, byte[] Bytes) ByteLevel(byte[] bytes)
    {
        switch (rng.Next(8))
        {
            case 0:
                return ("truncate", bytes[..rng.Next(bytes.Length)]);
            case 1:
                var flipped = (byte[])bytes.Clone();
                for (int k = rng.Next(1, 8); k > 0; k--)
                    flipped[rng.Next(flipped.Length)] = (byte)rng.Next(256);
                return ("flip-bytes", flipped);
            case 2:
                int at = rng.Next(bytes.Length + 1);
                var bad = BadUtf8[rng.Next(BadUtf8.Length)];
                return ("invalid-utf8", [.. bytes[..at], .. bad, .. bytes[at..]]);
            case 3:
                return ("utf16", rng.Next(2) == 0
                    ? Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(bytes))).ToArray()
                    : Encoding.BigEndianUnicode.GetBytes(Encoding.UTF8.GetString(bytes)));
            case 4:
                return ("utf8-bom", [0xEF, 0xBB, 0xBF, .. bytes]);
            case 5:
                int from = rng.Next(bytes.Length), length = rng.Next(1, 64);
                return ("delete-range", [.. bytes[..from], .. bytes[Math.Min(bytes.Length, from + length)..]]);
            case 6:
                return ("trailing-garbage", [.. bytes, .. "\n,{}"u8.ToArray()[..rng.Next(1, 5)]]);
            default:
                var inserted = new byte[rng.Next(1, 16)];
                rng.NextBytes(inserted);
                int pos = rng.Next(bytes.Length + 1);
                return ("insert-bytes", [.. bytes[..pos], .. inserted, .. bytes[pos..]]);
        }
    }

    JsonNode? Replacement() => rng.Next(7) switch
    {
        0 => null,
        1 => 42,
        2 => "text",
        3 => new JsonArray(1, "a"),
        4 => true,
        5 => new JsonArray(),
        _ => new JsonObject(),
    };

    /// <summary>Objects and arrays alternating, <paramref name="levels"/> deep.</summary>
    static JsonNode Nest(int levels)
    {
        JsonNode node = new JsonArray();
        for (int i = 1; i < levels; i++)
            node = i % 2 == 0 ? new JsonArray(node) : new JsonObject { ["k"] = node };
        return node;
    }

    static void Collect(JsonNode? node, int depth, List<(JsonNode, object, int)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                into.Add((o, k, depth + 1));
                Collect(v, depth + 1, into);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                into.Add((a, i, depth + 1));
                Collect(a[i], depth + 1, into);
            }
    }

    static JsonNode? Get(JsonNode parent, object key) => parent is JsonObject o ? o[(string)key] : ((JsonArray)parent)[(int)key];

    static void Set(JsonNode parent, object key, JsonNode? value)
    {
        if (parent is JsonObject o)
            o[(string)key] = value;
        else
            ((JsonArray)parent)[(int)key] = value;
    }
}
