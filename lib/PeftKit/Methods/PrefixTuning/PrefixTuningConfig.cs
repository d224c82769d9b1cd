using System.Text.Json.Nodes;

namespace PeftKit.Methods.PrefixTuning;

/// <summary>
/// Prefix tuning (Li &amp; Liang 2021): n trainable key/value vectors prepended in every layer's attention, the model
/// frozen. Reparameterised while training by Embedding(n, d) → Linear(d, k) → Tanh → Linear(k, L·2·d); after
/// training only the produced prefix (n·2·L·d values) is kept.
/// </summary>
public sealed record PrefixTuningConfig : PeftConfig
{
    /// <summary>Creates and validates a configuration. <paramref name="encoderHiddenSize"/> null: optimise the prefix directly.</summary>
    public PrefixTuningConfig(int numVirtualTokens = 20, int? encoderHiddenSize = 512)
    {
        NumVirtualTokens = numVirtualTokens;
        EncoderHiddenSize = encoderHiddenSize;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("prefix", "PREFIX_TUNING", typeof(PrefixTuningConfig), Read,
        c => new PrefixTuningConfig(c.VirtualTokens), LearningRate: 1e-3);

    /// <summary>n, prefix positions per layer (≥ 1; the paper: 10 for table-to-text, 200 for summarisation).</summary>
    public int NumVirtualTokens { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(NumVirtualTokens), value, "Prefix tuning needs at least 1 virtual token (typical: 10 to 20)."); }

    /// <summary>k, the reparameterisation MLP's hidden width (512 or 800 in the paper); null = no MLP (direct, less stable).</summary>
    public int? EncoderHiddenSize { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSize), value, "EncoderHiddenSize must be at least 1, or null for no reparameterisation."); }

    /// <summary>Parameters kept after training: n·2·L·d.</summary>
    public long KeptParameterCount(int hiddenSize, int numLayers) => (long)NumVirtualTokens * 2 * numLayers * hiddenSize;

    /// <summary>Parameters trained with the MLP: n·d + (d·k + k) + (k·2Ld + 2Ld).</summary>
    public long TrainedParameterCount(int hiddenSize, int numLayers)
    {
        if (EncoderHiddenSize is not { } k) return KeptParameterCount(hiddenSize, numLayers);
        long d = hiddenSize, o = 2L * numLayers * hiddenSize;
        return NumVirtualTokens * d + d * k + k + k * o + o;
    }

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new PrefixTuningAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["prefix_projection"] = EncoderHiddenSize is not null;
        o["encoder_hidden_size"] = EncoderHiddenSize;
    }

    internal static PrefixTuningConfig Read(JsonObject o) => new(
        PeftConfigJson.Int(o, "num_virtual_tokens"),
        PeftConfigJson.OptBool(o, "prefix_projection") == true ? PeftConfigJson.Int(o, "encoder_hidden_size") : null);
}
