using System.Text.Json.Nodes;
using PeftKit.Methods.PrefixTuning;
using PeftKit.Models;

namespace PeftKit.Methods.PTuningV2;

/// <summary>
/// P-Tuning v2 (Liu et al. 2022): deep prompts (prefix key/values) in every layer or in <see cref="Layers"/>, optional
/// reparameterisation (off by default), and a randomly initialised linear head on [CLS] (sequence classification)
/// or on every token (token classification) that trains with the prompts. Kept parameters n·2·|layers|·d + head.
/// </summary>
public sealed record PTuningV2Config : PeftConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    public PTuningV2Config(int numVirtualTokens = 16, IReadOnlyList<int>? layers = null, int? encoderHiddenSize = null)
    {
        NumVirtualTokens = numVirtualTokens;
        Layers = layers;
        EncoderHiddenSize = encoderHiddenSize;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("ptuning-v2", "P_TUNING_V2", typeof(PTuningV2Config), Read,
        c => new PTuningV2Config(c.VirtualTokens), LearningRate: 1e-2);

    /// <summary>n, prompt positions per layer (classification prefers &lt; 20, labelling ~100).</summary>
    public int NumVirtualTokens { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(NumVirtualTokens), value, "P-Tuning v2 needs at least 1 virtual token (typical: 8 to 32 for classification)."); }

    /// <summary>The layers that get deep prompts (distinct, ascending); null = all.</summary>
    public IReadOnlyList<int>? Layers
    {
        get;
        init => field = value is null ? null
            : value.Count > 0 && value.All(l => l >= 0) && value.Distinct().Count() == value.Count ? [.. value.Order()]
            : throw new ArgumentException("Layers must be a non-empty list of distinct non-negative layer indices, or null for all layers.", nameof(Layers));
    }

    /// <summary>Reparameterisation MLP hidden width; null (default) = prompts optimised directly.</summary>
    public int? EncoderHiddenSize { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSize), value, "EncoderHiddenSize must be at least 1, or null."); }

    internal override PeftAdapter CreateAdapter(PeftModel model, string name)
    {
        var m = model.BaseModel;
        if (m.Head is not (HeadKind.SequenceClassification or HeadKind.TokenClassification))
            throw new NotSupportedException(
                $"Unsupported combination: P-Tuning v2 trains a linear head on [CLS] or on every token, but the model has a {m.Head} head. Attach one with WithClassificationHead(n) or WithTokenClassificationHead(n).");
        if (TrainHead == false) throw new ArgumentException("P-Tuning v2 trains its linear head; TrainHead = false is not supported.");
        var layers = Layers ?? [.. Enumerable.Range(0, m.Config.NumLayers)];
        if (layers.FirstOrDefault(l => l >= m.Config.NumLayers, -1) is var bad && bad >= 0)
            throw new ArgumentException($"P-Tuning v2: layer {bad} does not exist; the model has layers 0..{m.Config.NumLayers - 1}.");
        return new PrefixTuningAdapter(model, name, this, NumVirtualTokens, layers, EncoderHiddenSize);
    }

    internal override void WriteJson(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["prefix_projection"] = EncoderHiddenSize is not null;
        o["encoder_hidden_size"] = EncoderHiddenSize;
        o["kit_layers"] = Layers is null ? null : new JsonArray([.. Layers.Select(l => JsonValue.Create(l))]);
    }

    internal static PTuningV2Config Read(JsonObject o) => new(
        PeftConfigJson.Int(o, "num_virtual_tokens"),
        o["kit_layers"] is JsonArray a ? [.. a.Select(n => n!.GetValue<int>())] : null,
        PeftConfigJson.OptBool(o, "prefix_projection") == true ? PeftConfigJson.Int(o, "encoder_hidden_size") : null);
}
