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

    /// <summary>
    /// Real-word initialisation (Li &amp; Liang §7.2; their code's <c>init_shallow_word</c>): the prefix starts as the
    /// frozen model's own keys and values for these tokens, so training starts from a context the model has seen
    /// rather than from noise. Needs the direct parameterisation (<see cref="EncoderHiddenSize"/> null) and one id per
    /// virtual token; null (default) = N(0, 1) noise, or the MLP's initialisation.
    /// </summary>
    public IReadOnlyList<int>? InitTokenIds { get; init => field = value is null ? null : value.Count > 0 ? [.. value] : throw new ArgumentException("InitTokenIds must hold at least one token id, or be null for a random prefix.", nameof(InitTokenIds)); }

    /// <summary>Parameters kept after training: n·2·L·d.</summary>
    public long KeptParameterCount(int hiddenSize, int numLayers) => (long)NumVirtualTokens * 2 * numLayers * hiddenSize;

    /// <summary>Parameters trained with the MLP: n·d + (d·k + k) + (k·2Ld + 2Ld).</summary>
    public long TrainedParameterCount(int hiddenSize, int numLayers)
    {
        if (EncoderHiddenSize is not { } k) return KeptParameterCount(hiddenSize, numLayers);
        long d = hiddenSize, o = 2L * numLayers * hiddenSize;
        return NumVirtualTokens * d + d * k + k + k * o + o;
    }

    internal override PeftAdapter CreateAdapter(PeftModel model, string name)
    {
        if (InitTokenIds is { } ids)
        {
            if (EncoderHiddenSize is not null)
                throw new ArgumentException($"InitTokenIds initialises the prefix itself, but EncoderHiddenSize = {EncoderHiddenSize} trains it through an MLP; set EncoderHiddenSize to null (the direct parameterisation, as Li & Liang's real-word initialisation).");
            if (ids.Count != NumVirtualTokens)
                throw new ArgumentException($"InitTokenIds holds {ids.Count} token ids but NumVirtualTokens is {NumVirtualTokens}; give one id per virtual token.");
            long V = model.BaseModel.Config.VocabSize;
            if (ids.FirstOrDefault(t => t < 0 || t >= V, -1) is var bad && bad >= 0)
                throw new ArgumentException($"Prefix init token id {bad} is outside the model's vocabulary [0, {V}); tokenize the words with the base model's own tokenizer.");
        }
        return new PrefixTuningAdapter(model, name, this);
    }

    internal override void WriteJson(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["prefix_projection"] = EncoderHiddenSize is not null;
        o["encoder_hidden_size"] = EncoderHiddenSize;
        // Only when set: a randomly initialised prefix writes exactly the reference library's fields.
        if (InitTokenIds is not null) o["kit_init_token_ids"] = new JsonArray([.. InitTokenIds.Select(t => JsonValue.Create(t))]);
    }

    internal static PrefixTuningConfig Read(JsonObject o) => new(
        PeftConfigJson.Int(o, "num_virtual_tokens"),
        PeftConfigJson.OptBool(o, "prefix_projection") == true ? PeftConfigJson.Int(o, "encoder_hidden_size") : null)
    {
        InitTokenIds = o["kit_init_token_ids"] is JsonArray a ? [.. a.Select(n => n!.GetValue<int>())] : null,
    };
}
