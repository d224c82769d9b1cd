using System.Text.Json;
using System.Text.Json.Serialization;

namespace PeftKit.Models;

/// <summary>
/// Shape and regularisation of a <see cref="TransformerModel"/>. Immutable; every field is checked when it is set and
/// the cross-field rules (heads divide the width, token types only for encoders) by the constructor and by
/// <see cref="Validate"/>, which the model calls again (a <c>with</c> copy skips the constructor).
/// </summary>
public sealed record TransformerConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    [JsonConstructor]
    public TransformerConfig(ModelKind kind, int vocabSize, int maxPositions, int hiddenSize, int numLayers, int numHeads,
        int intermediateSize, float layerNormEps, float dropout, int typeVocabSize = 0, float initStd = 0.02f)
    {
        Kind = kind;
        VocabSize = vocabSize;
        MaxPositions = maxPositions;
        HiddenSize = hiddenSize;
        NumLayers = numLayers;
        NumHeads = numHeads;
        IntermediateSize = intermediateSize;
        LayerNormEps = layerNormEps;
        Dropout = dropout;
        TypeVocabSize = typeVocabSize;
        InitStd = initStd;
        Validate();
    }

    /// <summary>Decoder (GPT-2 layout) or encoder (BERT layout).</summary>
    public ModelKind Kind { get; init; }

    /// <summary>Number of token ids (rows of the word embedding).</summary>
    public int VocabSize { get; init => field = Positive(value, nameof(VocabSize)); }

    /// <summary>Longest sequence (rows of the position embedding), virtual tokens included.</summary>
    public int MaxPositions { get; init => field = Positive(value, nameof(MaxPositions)); }

    /// <summary>Model width d.</summary>
    public int HiddenSize { get; init => field = Positive(value, nameof(HiddenSize)); }

    /// <summary>Number of Transformer blocks L.</summary>
    public int NumLayers { get; init => field = Positive(value, nameof(NumLayers)); }

    /// <summary>Attention heads nh; must divide <see cref="HiddenSize"/>.</summary>
    public int NumHeads { get; init => field = Positive(value, nameof(NumHeads)); }

    /// <summary>Width of the feed-forward hidden layer (4d in GPT-2 and BERT).</summary>
    public int IntermediateSize { get; init => field = Positive(value, nameof(IntermediateSize)); }

    /// <summary>LayerNorm epsilon (1e-5 in GPT-2, 1e-12 in BERT).</summary>
    public float LayerNormEps
    {
        get;
        init => field = value > 0 && float.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(LayerNormEps), value, "LayerNormEps must be a positive finite number such as 1e-5.");
    }

    /// <summary>Dropout probability used for embeddings, attention weights and residual branches, in [0, 1).</summary>
    public float Dropout
    {
        get;
        init => field = value is >= 0 and < 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Dropout), value, "Dropout must be in [0, 1); use 0 to disable it.");
    }

    /// <summary>Number of token types (segments): 2 for BERT, 0 for a decoder.</summary>
    public int TypeVocabSize
    {
        get;
        init => field = value >= 0 ? value
            : throw new ArgumentOutOfRangeException(nameof(TypeVocabSize), value, "TypeVocabSize must be 0 (decoder) or positive (encoder).");
    }

    /// <summary>Standard deviation of the normal initialisation of weights (0.02 in GPT-2 and BERT).</summary>
    public float InitStd
    {
        get;
        init => field = value > 0 && float.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(InitStd), value, "InitStd must be a positive finite number such as 0.02.");
    }

    /// <summary>
    /// Encoder only: LayerNorm before each sublayer instead of after the residual add (Xiong et al. 2020, "On Layer
    /// Normalization in the Transformer Architecture"), plus a final <c>encoder.LayerNorm</c>; the LayerNorms keep BERT's
    /// names. False (default, and every real BERT checkpoint) is BERT's post-LN. GPT-2 is pre-LN already.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PreLayerNorm { get; init; }

    /// <summary>Width of one attention head, d / nh.</summary>
    [JsonIgnore]
    public int HeadSize => HiddenSize / NumHeads;

    /// <summary>Checks the rules that involve several fields; throws <see cref="ArgumentException"/> saying what to change.</summary>
    public void Validate()
    {
        if (HiddenSize % NumHeads != 0)
            throw new ArgumentException($"HiddenSize ({HiddenSize}) must be divisible by NumHeads ({NumHeads}); pick a head count that divides it.");
        if (Kind == ModelKind.Decoder && TypeVocabSize != 0)
            throw new ArgumentException($"A decoder has no token-type embedding: set TypeVocabSize to 0 (got {TypeVocabSize}).");
        if (Kind == ModelKind.Encoder && TypeVocabSize == 0)
            throw new ArgumentException("An encoder needs TypeVocabSize >= 1 (BERT uses 2).");
        if (Kind == ModelKind.Decoder && PreLayerNorm)
            throw new ArgumentException("PreLayerNorm applies to the encoder; the GPT-2 decoder normalises before each sublayer already. Leave it false.");
        if (!Enum.IsDefined(Kind))
            throw new ArgumentException($"Unknown ModelKind {(int)Kind}.");
    }

    /// <summary>
    /// Parameters of the body counted from the shapes (GPT2Model: wte, wpe, h.*, ln_f; BertModel: embeddings,
    /// encoder, pooler). Heads are not included; GPT-2's LM head is tied and adds nothing.
    /// </summary>
    [JsonIgnore]
    public long BodyParameterCount
    {
        get
        {
            long d = HiddenSize, f = IntermediateSize, layerNorm = 2 * d;
            long attention = Kind == ModelKind.Decoder
                ? d * 3 * d + 3 * d + d * d + d               // c_attn (d, 3d) + c_proj (d, d), with biases
                : 3 * (d * d + d) + d * d + d;                // query, key, value + attention.output.dense
            long mlp = d * f + f + f * d + d;                 // c_fc / intermediate.dense + c_proj / output.dense
            long block = attention + mlp + 2 * layerNorm;
            long embeddings = (long)VocabSize * d + (long)MaxPositions * d + (long)TypeVocabSize * d;
            long tail = Kind == ModelKind.Decoder
                ? layerNorm                                   // ln_f
                : layerNorm + d * d + d                       // embeddings.LayerNorm + pooler.dense
                  + (PreLayerNorm ? layerNorm : 0);           // encoder.LayerNorm after the last pre-LN layer
            return embeddings + NumLayers * block + tail;
        }
    }

    /// <summary>GPT-2 small (124M): 124,439,808 body parameters, LM head tied.</summary>
    public static TransformerConfig Gpt2Small { get; } =
        new(ModelKind.Decoder, vocabSize: 50257, maxPositions: 1024, hiddenSize: 768, numLayers: 12, numHeads: 12,
            intermediateSize: 3072, layerNormEps: 1e-5f, dropout: 0.1f);

    /// <summary>BERT-base (uncased vocabulary): 109,482,240 parameters for BertModel including the pooler.</summary>
    public static TransformerConfig BertBase { get; } =
        new(ModelKind.Encoder, vocabSize: 30522, maxPositions: 512, hiddenSize: 768, numLayers: 12, numHeads: 12,
            intermediateSize: 3072, layerNormEps: 1e-12f, dropout: 0.1f, typeVocabSize: 2);

    /// <summary>The kit's tiny decoder: d=256, 4 layers, 4 heads, 4,096-token compact vocabulary, 256 positions.</summary>
    public static TransformerConfig TinyDecoder { get; } =
        new(ModelKind.Decoder, vocabSize: 4096, maxPositions: 256, hiddenSize: 256, numLayers: 4, numHeads: 4,
            intermediateSize: 1024, layerNormEps: 1e-5f, dropout: 0.1f);

    /// <summary>The kit's tiny encoder: d=256, 4 layers, 4 heads, 4,096-token compact vocabulary, 256 positions.</summary>
    public static TransformerConfig TinyEncoder { get; } =
        new(ModelKind.Encoder, vocabSize: 4096, maxPositions: 256, hiddenSize: 256, numLayers: 4, numHeads: 4,
            intermediateSize: 1024, layerNormEps: 1e-12f, dropout: 0.1f, typeVocabSize: 2);

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The configuration as indented JSON (snake_case keys), as written to config.json beside a model.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a configuration written by <see cref="ToJson"/>; the result is validated.</summary>
    public static TransformerConfig FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<TransformerConfig>(json, Json)
                ?? throw new ArgumentException("The configuration JSON is 'null'.");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"The configuration JSON is malformed: {e.Message}", e);
        }
    }

    static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be positive.");
}
