using System.Text.RegularExpressions;
using PeftKit.IO;
using static TorchSharp.torch;

namespace PeftKit.Models;

public sealed partial class TransformerModel
{
    /// <summary>
    /// Writes every parameter under its Hugging Face key (no <c>transformer.</c>/<c>bert.</c> prefix, as GPT2Model /
    /// BertModel save) plus <c>__metadata__</c> {"format": "pt"}. <paramref name="storeAs"/> (e.g. Float16) converts
    /// floating tensors on the way out.
    /// </summary>
    public void SaveSafetensors(string path, ScalarType? storeAs = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var meta = new Dictionary<string, string> { ["format"] = "pt" };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        Safetensors.Save(path, named_parameters().Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter)), meta, storeAs);
    }

    /// <summary>
    /// Loads a safetensors checkpoint key for key: GPT-2 files with or without the <c>transformer.</c> prefix, BERT files
    /// with or without <c>bert.</c> (old <c>LayerNorm.gamma/beta</c> names accepted). Values are converted to each
    /// parameter's dtype and device. A shape mismatch always throws, naming the tensor and both shapes; with
    /// <paramref name="strict"/>, missing or unexpected keys throw too, listing them. Load checkpoints before attaching
    /// PEFT methods that rename modules.
    /// </summary>
    public CheckpointLoadReport LoadSafetensors(string path, bool strict = true)
    {
        var (tensors, _) = Safetensors.Load(path);
        try
        {
            return LoadState(tensors, strict, path);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    static readonly Regex DecoderSkip = new(@"^(lm_head\.weight|h\.\d+\.attn\.(bias|masked_bias))$");
    static readonly Regex EncoderSkip = new(@"^(embeddings\.position_ids|cls\.predictions\.decoder\.(weight|bias)|cls\.seq_relationship\..*)$");
    static readonly Regex HeadKey = new(@"^(cls|lm_head|score|classifier)\.");

    /// <summary>
    /// Copies <paramref name="file"/>'s tensors into the parameters (keys as <see cref="LoadSafetensors"/> maps them).
    /// Missing keys that <paramref name="mayBeMissing"/> accepts (a BERT file saved without its pooler) do not fail a
    /// strict load; they stay in the report's Missing list and keep their initial values.
    /// </summary>
    internal CheckpointLoadReport LoadState(Dictionary<string, Tensor> file, bool strict, string path, Func<string, bool>? mayBeMissing = null)
    {
        bool decoder = Config.Kind == ModelKind.Decoder;
        string prefix = decoder ? "transformer." : "bert.";
        var parameters = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var loaded = new List<string>();
        var unexpected = new List<string>();
        var skipped = new List<string>();
        var sources = new Dictionary<string, string>();   // model key -> file key

        foreach (var fileKey in file.Keys.Order(StringComparer.Ordinal))
        {
            var key = fileKey.StartsWith(prefix, StringComparison.Ordinal) ? fileKey[prefix.Length..] : fileKey;
            key = Regex.Replace(key, @"LayerNorm\.gamma$", "LayerNorm.weight");
            key = Regex.Replace(key, @"LayerNorm\.beta$", "LayerNorm.bias");
            if (parameters.ContainsKey(key))
            {
                if (sources.TryGetValue(key, out var other))
                    throw new SafetensorsException($"'{path}' holds both '{other}' and '{fileKey}', which map to the same model key '{key}'.");
                sources[key] = fileKey;
            }
            else if ((decoder ? DecoderSkip : EncoderSkip).IsMatch(key) || HeadKey.IsMatch(key)) skipped.Add(fileKey);
            else unexpected.Add(fileKey);
        }

        var missing = parameters.Keys.Where(k => !sources.ContainsKey(k)).ToList();
        var fresh = missing.Where(k => k.StartsWith("score.", StringComparison.Ordinal) || k.StartsWith("classifier.", StringComparison.Ordinal)).ToList();
        missing = [.. missing.Except(fresh)];
        var fatal = mayBeMissing is null ? missing : [.. missing.Where(k => !mayBeMissing(k))];
        if (strict && (fatal.Count > 0 || unexpected.Count > 0))
            throw new SafetensorsException(
                $"'{path}' does not match this {Config.Kind.ToString().ToLowerInvariant()} model" +
                (fatal.Count > 0 ? $"; missing keys ({fatal.Count}): {string.Join(", ", fatal.Take(20))}{(fatal.Count > 20 ? ", ..." : "")}" : "") +
                (unexpected.Count > 0 ? $"; unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected.Take(20))}{(unexpected.Count > 20 ? ", ..." : "")}" : "") +
                ". Check the config matches the checkpoint, or pass strict: false to load what matches.");

        // All shapes are checked before anything is copied, so a failed load leaves the model unchanged.
        foreach (var (key, fileKey) in sources)
        {
            var want = parameters[key].shape;
            var have = file[fileKey].shape;
            if (!want.SequenceEqual(have))
                throw new SafetensorsException(
                    $"Tensor '{fileKey}' in '{path}' has shape [{string.Join(", ", have)}] but model parameter '{key}' has shape [{string.Join(", ", want)}]." +
                    (key.EndsWith("c_attn.weight") || key.EndsWith("c_fc.weight") || key.EndsWith("c_proj.weight")
                        ? " GPT-2 Conv1D weights are stored (in, out); a transposed (out, in) file was saved from a Linear layout." : "") +
                    " Check the model config (vocab size, width, positions) against the checkpoint.");
        }
        using (no_grad())
            foreach (var (key, fileKey) in sources)
            {
                var p = parameters[key];
                p.copy_(file[fileKey].to(p.dtype, p.device));
                loaded.Add(key);
            }
        return new CheckpointLoadReport(loaded, missing, fresh, unexpected, skipped);
    }
}
