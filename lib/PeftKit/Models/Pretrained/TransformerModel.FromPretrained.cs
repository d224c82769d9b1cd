using TorchSharp;

namespace PeftKit.Models;

public sealed partial class TransformerModel
{
    /// <summary>
    /// Loads a checkpoint folder in one call: a Hugging Face GPT-2 or BERT folder (config.json, model.safetensors or
    /// model.safetensors.index.json with its shards, and the tokenizer files) or a folder the kit wrote
    /// (<c>kit pretrain</c>: config.json, model.safetensors, tokenizer.json). The head comes from what the weights hold
    /// (GPT-2: the tied LM head, or <c>score</c>/<c>classifier</c>; BERT: <c>cls.predictions</c> → MLM,
    /// <c>classifier</c> → classification, nothing → <see cref="HeadKind.None"/>); the load is strict. The model is on
    /// <see cref="Setup.KitTorch.Device"/>, in eval mode.
    /// <code>var (model, tokenizer) = TransformerModel.FromPretrained("models/bert-base-uncased");</code>
    /// </summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="dropout">The kit's one dropout rate; null takes the checkpoint's (its dropout fields must then agree).</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">config.json, the weights, a shard the index names or a tokenizer file is missing.</exception>
    /// <exception cref="NotSupportedException">Another model_type, a config value the kit does not implement, or an untied head.</exception>
    /// <exception cref="InvalidDataException">A malformed config.json, index or tokenizer file.</exception>
    /// <exception cref="IO.SafetensorsException">The weights do not fit config.json (the strict load names the keys or shapes).</exception>
    public static PretrainedModel FromPretrained(string folder, float? dropout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var dir = Path.GetFullPath(folder);
        if (!Directory.Exists(dir))
            throw new DirectoryNotFoundException($"No checkpoint folder at '{dir}'. FromPretrained takes a folder holding config.json, the weights and the tokenizer files.");
        var configPath = Path.Combine(dir, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException(
                $"'{dir}' has no config.json; FromPretrained needs it to know the architecture (save_pretrained writes it next to the weights).", configPath);

        var (config, format, architectures) = HuggingFaceConfig.ParseAny(File.ReadAllText(configPath), dropout, configPath);
        var tokenizer = CheckpointTokenizer.Load(dir, format, config);      // small files first: their errors come before reading weights
        using var weights = CheckpointWeights.Load(dir);
        var plan = CheckpointHead.Pick(weights.Tensors, config, architectures, weights.Source);
        var model = new TransformerModel(config, plan.Head, plan.NumLabels);
        try
        {
            var report = model.LoadState(weights.Tensors, strict: true, weights.Source, plan.MayBeMissing);
            model.to(Setup.KitTorch.Device);
            model.eval();
            return new PretrainedModel(model, tokenizer, format, dir, weights.Files, report, plan.Notes);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
