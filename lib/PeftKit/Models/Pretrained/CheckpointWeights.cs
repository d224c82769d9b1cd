using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.IO;
using static TorchSharp.torch;

namespace PeftKit.Models;

/// <summary>
/// The tensors of a checkpoint folder: <c>model.safetensors</c>, or the sharded form
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {key: shard file}}</c>) plus the shards it names.
/// Every shard's keys must be exactly the keys the index assigns to it. The caller disposes the tensors.
/// </summary>
internal sealed class CheckpointWeights : IDisposable
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    CheckpointWeights(Dictionary<string, Tensor> tensors, IReadOnlyList<string> files, string source)
    {
        Tensors = tensors;
        Files = files;
        Source = source;
    }

    /// <summary>Key → tensor (CPU, stored dtype), over all files.</summary>
    public Dictionary<string, Tensor> Tensors { get; }

    /// <summary>The files read, full paths.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The file (or index) to name in messages.</summary>
    public string Source { get; }

    public static CheckpointWeights Load(string folder)
    {
        var single = Path.Combine(folder, SingleFile);
        var index = Path.Combine(folder, IndexFile);
        if (File.Exists(single))
        {
            var (tensors, _) = Safetensors.Load(single);
            return new CheckpointWeights(tensors, [single], single);
        }
        if (File.Exists(index)) return LoadSharded(folder, index);
        var other = Directory.EnumerateFiles(folder).Select(Path.GetFileName)
            .FirstOrDefault(n => n is "pytorch_model.bin" or "model.bin" or "tf_model.h5" or "flax_model.msgpack" or "pytorch_model.bin.index.json");
        throw new FileNotFoundException(
            $"'{folder}' has no weights: neither {SingleFile} nor {IndexFile} (with its shards)." +
            (other is not null ? $" It has {other}, a format the kit does not read; convert it to safetensors (in Python: model.save_pretrained(dir, safe_serialization=True))." : ""),
            single);
    }

    static CheckpointWeights LoadSharded(string folder, string index)
    {
        Dictionary<string, string> weightMap;
        try
        {
            var map = (JsonNode.Parse(File.ReadAllText(index)) as JsonObject)?["weight_map"] as JsonObject
                ?? throw new InvalidDataException($"'{index}' has no \"weight_map\" object (tensor key → shard file).");
            weightMap = map.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>()
                ?? throw new InvalidDataException($"'{index}' maps '{kv.Key}' to null; every key needs a shard file name."));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{index}' is not a valid shard index: {e.Message}", e);
        }
        var shards = weightMap.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var shard in shards)
            if (!File.Exists(Path.Combine(folder, shard)))
                throw new FileNotFoundException(
                    $"'{index}' names the shard '{shard}' ({weightMap.Count(kv => kv.Value == shard)} tensors), which is not in '{folder}'. Download every shard the index lists.",
                    Path.Combine(folder, shard));

        var all = new Dictionary<string, Tensor>();
        try
        {
            foreach (var shard in shards)
            {
                var path = Path.Combine(folder, shard);
                var (tensors, _) = Safetensors.Load(path);
                foreach (var (key, t) in tensors) all[key] = t;   // added first, so a failure below disposes them too
                var expected = weightMap.Where(kv => kv.Value == shard).Select(kv => kv.Key).ToHashSet();
                var extra = tensors.Keys.Where(k => !expected.Contains(k)).ToList();
                var absent = expected.Where(k => !tensors.ContainsKey(k)).ToList();
                if (extra.Count > 0 || absent.Count > 0)
                    throw new SafetensorsException(
                        $"Shard '{path}' does not hold what '{index}' says" +
                        (absent.Count > 0 ? $"; missing: {string.Join(", ", absent.Take(10))}" : "") +
                        (extra.Count > 0 ? $"; not in the index: {string.Join(", ", extra.Take(10))}" : "") +
                        ". The shards and the index come from different saves; download them together.");
            }
            return new CheckpointWeights(all, [.. shards.Select(s => Path.Combine(folder, s))], index);
        }
        catch
        {
            foreach (var t in all.Values) t.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
