using System.Globalization;
using System.IO.Compression;
using System.Reflection;

namespace PeftKit.Text;

/// <summary>
/// The bytes of every cl100k_base token, by id. TiktokenTokenizer keeps its id → bytes table internal in
/// Microsoft.ML.Tokenizers 2.0.1, so it is read here from the data the tokenizer itself is built from: the tiktoken file
/// embedded in Microsoft.ML.Tokenizers.Data.Cl100kBase (deflated; a "Capacity: N" line, then one base64 line per
/// token in id order — the package's compact form of tiktoken's "base64 rank" lines, which are accepted too).
/// </summary>
internal static class Cl100kTokenBytes
{
    const string Resource = "cl100k_base.tiktoken.deflate";

    static readonly Lazy<byte[][]> Table = new(Read);

    /// <summary>The UTF-8 bytes (possibly part of a character) of cl100k token <paramref name="id"/>.</summary>
    public static byte[] Of(int id) => Table.Value[id];

    static byte[][] Read()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Cl100kBase");
        using var stream = assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no resource {Resource}; the pinned package version changed its layout.");
        using var reader = new StreamReader(new DeflateStream(stream, CompressionMode.Decompress));
        var table = new List<byte[]>(100_277);
        for (string? line; (line = reader.ReadLine()) is not null;)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            int space = line.IndexOf(' ');
            if (space >= 0 && int.Parse(line.AsSpan(space + 1), CultureInfo.InvariantCulture) != table.Count)
                throw new InvalidDataException($"{Resource}: ranks are not in id order at token {table.Count}.");
            table.Add(Convert.FromBase64String(space >= 0 ? line[..space] : line));
        }
        return [.. table];
    }
}
