using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace PeftKit.IO;

/// <summary>
/// Reads and writes the safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}),
/// then the raw little-endian tensor bytes. Hand-written: no safetensors package is available for .NET here.
/// The reader validates what the reference implementation validates: header bounds, dtype names, that each byte
/// range matches dtype × shape, and that the ranges tile the data section without gaps or overlaps.
/// </summary>
public static class Safetensors
{
    const long MaxHeaderBytes = 100_000_000;   // the reference implementation's limit
    const string MetadataKey = "__metadata__";

    /// <summary>Reads the header only: tensor entries (in file order) and the <c>__metadata__</c> strings.</summary>
    public static (IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata) ReadHeader(string path)
    {
        using var stream = OpenRead(path);
        var (entries, metadata, _) = ReadHeader(stream, path);
        return (entries, metadata);
    }

    /// <summary>Loads every tensor (CPU, the stored dtype) and the metadata. The caller owns the tensors.</summary>
    public static (Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) Load(string path)
    {
        using var stream = OpenRead(path);
        var (entries, metadata, dataStart) = ReadHeader(stream, path);
        var tensors = new Dictionary<string, Tensor>(entries.Count);
        try
        {
            foreach (var e in entries)
                tensors[e.Name] = ReadTensor(stream, dataStart, e);
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, metadata);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any device; copied to CPU, made contiguous) in key order, converted to
    /// <paramref name="storeAs"/> when given (e.g. Float16), with optional string metadata. The header is padded
    /// with spaces to a multiple of 8 bytes, as the reference writer does.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null, ScalarType? storeAs = null)
    {
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var duplicate = ordered.GroupBy(kv => kv.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"Tensor name '{duplicate.Key}' appears twice.");
        if (ordered.Any(kv => kv.Key == MetadataKey)) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor.");

        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header[MetadataKey] = meta;
        }
        long offset = 0;
        var prepared = new List<Tensor>(ordered.Count);
        try
        {
            foreach (var (name, tensor) in ordered)
            {
                var t = tensor.detach().cpu();
                if (storeAs is { } type && t.is_floating_point()) t = t.to_type(type);
                t = t.contiguous();
                prepared.Add(t);
                var (dtype, size) = SafetensorsDtype.Of(t.dtype);
                long bytes = t.numel() * size;
                header[name] = new JsonObject
                {
                    ["dtype"] = dtype,
                    ["shape"] = new JsonArray([.. t.shape.Select(s => JsonValue.Create(s))]),
                    ["data_offsets"] = new JsonArray(offset, offset + bytes),
                };
                offset += bytes;
            }
            var json = Encoding.UTF8.GetBytes(header.ToJsonString());
            int padded = (json.Length + 7) / 8 * 8;
            using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var t in prepared) if (t.numel() > 0) stream.Write(t.bytes);
        }
        finally
        {
            foreach (var t in prepared) t.Dispose();
        }
    }

    static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
    }

    static (List<SafetensorsEntry>, Dictionary<string, string>, long dataStart) ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8) throw new SafetensorsException($"'{path}' has {fileLength} bytes: too short to hold the 8-byte header length. Is it a safetensors file?");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > MaxHeaderBytes || (long)n > fileLength - 8)
            throw new SafetensorsException($"'{path}' declares a {n}-byte header but the file has {fileLength - 8} bytes after the length field (limit {MaxHeaderBytes}); the file is truncated or not safetensors.");
        var headerBytes = new byte[(int)n];
        stream.ReadExactly(headerBytes);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(headerBytes)?.AsObject() ?? throw new SafetensorsException($"The header of '{path}' is JSON null.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new SafetensorsException($"The header of '{path}' is not a JSON object: {e.Message}", e);
        }

        var metadata = new Dictionary<string, string>();
        var entries = new List<SafetensorsEntry>();
        foreach (var (name, node) in root)
        {
            if (name == MetadataKey)
            {
                if (node is not JsonObject meta) throw new SafetensorsException($"'{MetadataKey}' in '{path}' must be an object of strings.");
                foreach (var (k, v) in meta)
                    metadata[k] = v is JsonValue jv && jv.TryGetValue<string>(out var s) ? s
                        : throw new SafetensorsException($"Metadata '{k}' in '{path}' is not a string.");
                continue;
            }
            entries.Add(ParseEntry(name, node, path));
        }

        // The byte ranges must tile [0, data length) exactly.
        long dataStart = 8 + (long)n, dataLength = fileLength - dataStart, expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw new SafetensorsException(e.Begin < expected
                    ? $"Tensor '{e.Name}' bytes [{e.Begin}, {e.End}) overlap the previous tensor in '{path}'."
                    : $"Tensor '{e.Name}' starts at byte {e.Begin} but the previous tensor ends at {expected}: the header of '{path}' leaves a gap.");
            expected = e.End;
        }
        if (expected != dataLength)
            throw new SafetensorsException(expected > dataLength
                ? $"'{path}' is truncated: the header describes {expected} data bytes but only {dataLength} follow it."
                : $"'{path}' has {dataLength - expected} bytes after the last tensor that no header entry describes.");
        return (entries, metadata, dataStart);
    }

    static SafetensorsEntry ParseEntry(string name, JsonNode? node, string path)
    {
        try
        {
            var o = node!.AsObject();
            var dtype = o["dtype"]!.GetValue<string>();
            var shape = o["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            var offsets = o["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            if (offsets.Length != 2) throw new SafetensorsException($"Tensor '{name}' in '{path}' has {offsets.Length} data_offsets; expected [begin, end].");
            if (shape.Any(s => s < 0)) throw new SafetensorsException($"Tensor '{name}' in '{path}' has a negative dimension in shape [{string.Join(", ", shape)}].");
            var (type, size) = SafetensorsDtype.Parse(dtype, name);
            long bytes = shape.Aggregate(1L, (a, b) => checked(a * b)) * size;
            if (offsets[0] < 0 || offsets[1] - offsets[0] != bytes)
                throw new SafetensorsException($"Tensor '{name}' in '{path}' is {dtype} [{string.Join(", ", shape)}] = {bytes} bytes but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}.");
            return new SafetensorsEntry(name, dtype, type, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new SafetensorsException($"Header entry '{name}' in '{path}' is malformed (needs dtype, shape and data_offsets): {e.Message}", e);
        }
    }

    static Tensor ReadTensor(FileStream stream, long dataStart, SafetensorsEntry e)
    {
        var t = empty(e.Shape, e.Type);
        long bytes = e.End - e.Begin;
        if (bytes == 0) return t;
        stream.Position = dataStart + e.Begin;
        if (bytes > Array.MaxLength)
        {
            t.Dispose();
            throw new SafetensorsException($"Tensor '{e.Name}' has {bytes} bytes; tensors over {Array.MaxLength} bytes are not supported by this reader.");
        }
        var buffer = new byte[bytes];
        stream.ReadExactly(buffer);
        t.bytes = buffer;
        return t;
    }
}
