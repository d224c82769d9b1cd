using System.Text;
using System.Text.Json.Nodes;
using PeftKit.Notebooks.Format;
using PeftKit.Notebooks.Model;

namespace PeftKit.Notebooks.Tests;

public class ReaderFuzzTests
{
    [Fact]
    public void MalformedJsonNamesFileAndPosition()
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookReader.ReadFile(Path.Combine(Fixture.Dir, "malformed.ipynb")));
        Assert.StartsWith("malformed.ipynb: malformed JSON at line 1, byte ", e.Message.Replace(Fixture.Dir + "/", ""));
    }

    [Fact]
    public void WrongTypeNamesTheKey()
    {
        var e = Assert.Throws<NotebookFormatException>(() => NotebookReader.Read("""{"nbformat":4,"nbformat_minor":5,"cells":[{"cell_type":"code","source":3}]}""", "x.ipynb"));
        Assert.Equal("x.ipynb: cells[0].source: expected a string or an array of strings, found a number.", e.Message);
    }

    [Fact]
    public void RoundTripWritesSourceArraysAndIds()
    {
        var nb = NotebookReader.ReadFile(Path.Combine(Fixture.Dir, "no-metadata.ipynb"));
        var json = JsonNode.Parse(NotebookWriter.ToJson(nb))!;
        Assert.Equal(5, (int)json["nbformat_minor"]!);
        Assert.Equal(["var a = 6 * 7;\n", "a"], json["cells"]![0]!["source"]!.AsArray().Select(n => (string)n!));
        Assert.False(string.IsNullOrEmpty((string?)json["cells"]![0]!["id"]));
    }

    [Fact]
    public void TenThousandMutationsOnlyThrowNotebookFormatException()
    {
        var seeds = new[] { "polyglot.ipynb", "dotnet-interactive.ipynb", "runtime-error.ipynb" }
            .Select(f => File.ReadAllBytes(Path.Combine(Fixture.Dir, f))).ToArray();
        var rng = new Random(1234);
        int formatErrors = 0;
        for (int i = 0; i < 10_000; i++)
        {
            var bytes = Mutate(seeds[i % seeds.Length], rng);
            try
            {
                NotebookReader.Read(bytes, "fuzz.ipynb");
            }
            catch (NotebookFormatException)
            {
                formatErrors++;
            }
        }
        Assert.InRange(formatErrors, 1000, 10_000); // most mutations must be rejected, some still parse
    }

    static byte[] Mutate(byte[] seed, Random rng)
    {
        switch (rng.Next(6))
        {
            case 0: return seed[..rng.Next(seed.Length)]; // truncation
            case 1: // random byte flips (odd encodings)
                var b = (byte[])seed.Clone();
                for (int k = rng.Next(1, 8); k > 0; k--)
                    b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            case 2: return Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(seed)); // UTF-16
            default: // structural: wrong types / missing keys somewhere in the tree
                var root = JsonNode.Parse(seed)!;
                var nodes = new List<(JsonNode Parent, object Key)>();
                Collect(root, nodes);
                var (parent, key) = nodes[rng.Next(nodes.Count)];
                JsonNode? replacement = rng.Next(5) switch { 0 => null, 1 => 42, 2 => "text", 3 => new JsonArray(1, "a"), _ => new JsonObject() };
                if (parent is JsonObject o)
                {
                    if (rng.Next(2) == 0) o.Remove((string)key);
                    else o[(string)key] = replacement;
                }
                else
                    ((JsonArray)parent)[(int)key] = replacement;
                return Encoding.UTF8.GetBytes(root.ToJsonString());
        }
    }

    static void Collect(JsonNode node, List<(JsonNode, object)> into)
    {
        if (node is JsonObject o)
            foreach (var (k, v) in o.ToList())
            {
                into.Add((o, k));
                if (v is not null) Collect(v, into);
            }
        else if (node is JsonArray a)
            for (int i = 0; i < a.Count; i++)
            {
                into.Add((a, i));
                if (a[i] is { } v) Collect(v, into);
            }
    }
}
