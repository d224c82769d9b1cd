using System.Text.Json;
using PeftKit.Data;
using PeftKit.Models;
using PeftKit.Pretraining;
using PeftKit.Setup;
using PeftKit.Text;
using PeftKit.Training;
using TorchSharp;

namespace PeftKit.Experiments;

/// <summary>
/// A pretrained tiny base as <c>kit pretrain</c> writes it under <c>data/models/&lt;name&gt;/</c>: config.json,
/// model.safetensors, tokenizer.json, history.json, results.json and MODEL_CARD.md. Holds the small files in memory;
/// <see cref="CreateModel"/> reads the weights each time it builds a model.
/// </summary>
public sealed class TinyBase
{
    /// <summary>The names of the two committed bases.</summary>
    public static IReadOnlyList<string> Names { get; } = PretrainRequest.ModelNames;

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    TinyBase(string name, string directory, TransformerConfig config, CompactTokenizer tokenizer, PretrainFigures figures,
        TrainingHistory history, string modelCard)
    {
        Name = name;
        Directory = directory;
        Config = config;
        Tokenizer = tokenizer;
        Figures = figures;
        History = history;
        ModelCard = modelCard;
    }

    /// <summary>Loads the committed base <paramref name="name"/> ("tiny-gpt" or "tiny-bert") from <c>&lt;dataRoot&gt;/models/&lt;name&gt;</c>.</summary>
    /// <param name="name">"tiny-gpt" (decoder) or "tiny-bert" (encoder).</param>
    /// <param name="dataRoot">The kit's data folder; null finds it with <see cref="DataRoot.Locate"/>.</param>
    /// <exception cref="DirectoryNotFoundException">The base has not been pretrained; the message gives the <c>kit pretrain</c> command.</exception>
    public static TinyBase Load(string name, string? dataRoot = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!Names.Contains(name))
            throw new ArgumentException($"Unknown base '{name}'; the kit's bases are {string.Join(", ", Names)}. For another folder use TinyBase.LoadFrom(directory).", nameof(name));
        var dir = Path.Combine(dataRoot ?? DataRoot.Locate(), "models", name);
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException(
                $"The base '{name}' is not in '{dir}'. Pretrain it with `kit pretrain --model {name}` (writes data/models/{name}/), or pull the committed models.");
        return LoadFrom(dir);
    }

    /// <summary>Loads a base from a folder written by <c>kit pretrain --out DIR</c>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">One of the six files is missing; the message names it and how to rewrite the folder.</exception>
    public static TinyBase LoadFrom(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var dir = Path.GetFullPath(directory);
        if (!System.IO.Directory.Exists(dir))
            throw new DirectoryNotFoundException($"No base model folder at '{dir}'. Write one with `kit pretrain --model tiny-gpt|tiny-bert --out {dir}`.");
        foreach (var file in PretrainResult.FileNames)
            if (!File.Exists(Path.Combine(dir, file)))
                throw new FileNotFoundException(
                    $"The base model folder '{dir}' has no {file} (a complete folder holds {string.Join(", ", PretrainResult.FileNames)}). Rewrite it with `kit pretrain --model <name> --out {dir}`.",
                    Path.Combine(dir, file));
        var config = TransformerConfig.FromJson(File.ReadAllText(Path.Combine(dir, "config.json")));
        var tokenizer = CompactTokenizer.Load(Path.Combine(dir, "tokenizer.json"));
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException($"'{dir}': the tokenizer has {tokenizer.VocabSize} ids but the model only {config.VocabSize}; the folder mixes files of different runs.");
        var figures = JsonSerializer.Deserialize<PretrainFigures>(File.ReadAllText(Path.Combine(dir, "results.json")), Json)
            ?? throw new InvalidDataException($"'{Path.Combine(dir, "results.json")}' holds null.");
        var history = TrainingHistory.Load(Path.Combine(dir, "history.json"));
        var card = File.ReadAllText(Path.Combine(dir, "MODEL_CARD.md"));
        return new TinyBase(figures.Model, dir, config, tokenizer, figures, history, card);
    }

    /// <summary>The base's name as recorded in results.json ("tiny-gpt", "tiny-bert").</summary>
    public string Name { get; }

    /// <summary>The folder it was loaded from (full path).</summary>
    public string Directory { get; }

    /// <summary>The architecture (config.json).</summary>
    public TransformerConfig Config { get; }

    /// <summary>The compact tokenizer the base was pretrained with (tokenizer.json).</summary>
    public CompactTokenizer Tokenizer { get; }

    /// <summary>The pretraining run's figures (results.json).</summary>
    public PretrainFigures Figures { get; }

    /// <summary>The pretraining curve (history.json).</summary>
    public TrainingHistory History { get; }

    /// <summary>The model card (MODEL_CARD.md) as Markdown text.</summary>
    public string ModelCard { get; }

    /// <summary>Path of the weights file.</summary>
    public string WeightsPath => Path.Combine(Directory, "model.safetensors");

    /// <summary>
    /// A fresh model with the pretrained weights, on <see cref="KitTorch.Device"/>. The body is loaded strictly (every
    /// tensor must be in the file); a classification head is freshly initialised from torch's current generator, so the
    /// caller's <c>manual_seed</c> decides it. <paramref name="head"/> null = the pretraining head (LM / MLM), loaded too.
    /// </summary>
    public TransformerModel CreateModel(HeadKind? head = null, int numLabels = 0)
    {
        var model = new TransformerModel(Config, head, numLabels);
        try
        {
            model.LoadSafetensors(WeightsPath, strict: true);
            model.to(KitTorch.Device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Config.Kind}, d={Config.HiddenSize}, {Config.NumLayers} layers, {Figures.Parameters:N0} parameters) from {Directory}";
}
