using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftKit.Models;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> (as <c>save_pretrained</c> writes it) into a <see cref="TransformerConfig"/>.
/// model_type <c>gpt2</c>: n_embd, n_layer, n_head, n_positions, n_inner (null → 4·n_embd), vocab_size,
/// layer_norm_epsilon, activation_function, initializer_range, resid/embd/attn_pdrop. model_type <c>bert</c>:
/// hidden_size, num_hidden_layers, num_attention_heads, intermediate_size, max_position_embeddings, vocab_size,
/// type_vocab_size, layer_norm_eps, hidden_act, initializer_range, hidden/attention_probs dropout. A value the kit does not
/// implement (another activation, relative positions, cross-attention) throws <see cref="NotSupportedException"/>
/// instead of loading a model that would compute something else.
/// </summary>
public static class HuggingFaceConfig
{
    /// <summary>The model_type values this reader understands.</summary>
    public static IReadOnlyList<string> ModelTypes { get; } = ["gpt2", "bert"];

    /// <summary>Parses a Hugging Face config.json text; see the class summary for the fields read.</summary>
    /// <param name="json">The text of config.json.</param>
    /// <param name="dropout">The kit has one dropout rate; null takes the checkpoint's when its dropout fields agree, a value overrides them.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    /// <exception cref="InvalidDataException">The JSON is malformed, a required field is missing or has the wrong type.</exception>
    /// <exception cref="NotSupportedException">Another model_type, or a field value the kit does not implement.</exception>
    public static TransformerConfig Parse(string json, float? dropout = null, string source = "config.json") =>
        Parse(Root(json, source), dropout, source).Config;

    /// <summary>config.json of any folder FromPretrained reads: the kit's own (a "kind" field) or a Hugging Face one (model_type).</summary>
    internal static (TransformerConfig Config, CheckpointFormat Format, IReadOnlyList<string> Architectures) ParseAny(string json, float? dropout, string source)
    {
        var root = Root(json, source);
        if (root["model_type"] is null && root["kind"] is not null)
        {
            try
            {
                var config = TransformerConfig.FromJson(json);
                if (dropout is { } p) config = config with { Dropout = p };
                return (config, CheckpointFormat.PeftKit, []);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"'{source}' looks like the kit's own config.json (it has \"kind\") but does not read as one: {e.Message}", e);
            }
        }
        return Parse(root, dropout, source);
    }

    static (TransformerConfig Config, CheckpointFormat Format, IReadOnlyList<string> Architectures) Parse(JsonObject root, float? dropout, string source)
    {
        var type = root["model_type"] is JsonValue v && v.TryGetValue<string>(out var s) ? s
            : throw new InvalidDataException(
                $"'{source}' has no \"model_type\" string, so the architecture is unknown. A Hugging Face config.json names it " +
                $"({string.Join(", ", ModelTypes)} are supported); the kit's own config.json has \"kind\" instead.");
        var fields = new Fields(root, source);
        var architectures = root["architectures"] is JsonArray a ? a.Select(x => x?.GetValue<string>() ?? "").ToArray() : [];
        return type switch
        {
            "gpt2" => (Gpt2(fields, dropout), CheckpointFormat.Gpt2, architectures),
            "bert" => (Bert(fields, dropout), CheckpointFormat.Bert, architectures),
            _ => throw new NotSupportedException(
                $"'{source}' has model_type '{type}', which the kit does not implement; FromPretrained reads {string.Join(" and ", ModelTypes)} " +
                "checkpoints (GPT-2 and BERT architectures) and the kit's own folders. Convert the model, or load one of those."),
        };
    }

    static TransformerConfig Gpt2(Fields f, float? dropout)
    {
        var activation = f.String("activation_function", "gelu_new");
        if (activation is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw f.Unsupported("activation_function", activation, "the kit's GPT-2 MLP computes gelu_new (the tanh approximation; 'gelu_pytorch_tanh' is the same function)");
        f.Require("scale_attn_weights", true, "the kit always scales attention scores by 1/sqrt(head size)");
        f.Require("scale_attn_by_inverse_layer_idx", false, "the kit does not scale attention by the inverse layer index");
        f.Require("add_cross_attention", false, "the kit's GPT-2 has no cross-attention");
        int d = f.Int("n_embd");
        return new TransformerConfig(ModelKind.Decoder,
            vocabSize: f.Int("vocab_size"), maxPositions: f.Int("n_positions"), hiddenSize: d, numLayers: f.Int("n_layer"),
            numHeads: f.Int("n_head"), intermediateSize: f.IntOrNull("n_inner") ?? 4 * d,
            layerNormEps: f.Float("layer_norm_epsilon", 1e-5f),
            dropout: dropout ?? f.OneDropout(["resid_pdrop", "embd_pdrop", "attn_pdrop"]),
            typeVocabSize: 0, initStd: f.Float("initializer_range", 0.02f));
    }

    static TransformerConfig Bert(Fields f, float? dropout)
    {
        var activation = f.String("hidden_act", "gelu");
        if (activation != "gelu")
            throw f.Unsupported("hidden_act", activation, "the kit's BERT computes the exact (erf) GELU, 'gelu'");
        var positions = f.String("position_embedding_type", "absolute");
        if (positions != "absolute")
            throw f.Unsupported("position_embedding_type", positions, "the kit's BERT has absolute position embeddings");
        f.Require("is_decoder", false, "the kit's BERT is a bidirectional encoder");
        f.Require("add_cross_attention", false, "the kit's BERT has no cross-attention");
        return new TransformerConfig(ModelKind.Encoder,
            vocabSize: f.Int("vocab_size"), maxPositions: f.Int("max_position_embeddings"), hiddenSize: f.Int("hidden_size"),
            numLayers: f.Int("num_hidden_layers"), numHeads: f.Int("num_attention_heads"), intermediateSize: f.Int("intermediate_size"),
            layerNormEps: f.Float("layer_norm_eps", 1e-12f),
            dropout: dropout ?? f.OneDropout(["hidden_dropout_prob", "attention_probs_dropout_prob"]),
            typeVocabSize: f.IntOrNull("type_vocab_size") ?? 2, initStd: f.Float("initializer_range", 0.02f));
    }

    static JsonObject Root(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonNode.Parse(json) as JsonObject
                ?? throw new InvalidDataException($"'{source}' is not a JSON object; a config.json holds one object of fields.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' is not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>Typed access to the fields of one config.json, with messages that name the file and the field.</summary>
    sealed class Fields(JsonObject root, string source)
    {
        public int Int(string name) => IntOrNull(name)
            ?? throw new InvalidDataException($"'{source}' has no \"{name}\"; this field is required (a config.json written by save_pretrained has it).");

        public int? IntOrNull(string name) => root[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<int>(out var i) => i,
            var other => throw Wrong(name, other, "an integer"),
        };

        public float Float(string name, float fallback) => root[name] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<double>(out var x) => (float)x,
            var other => throw Wrong(name, other, "a number"),
        };

        public string String(string name, string fallback) => root[name] switch
        {
            null => fallback,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => throw Wrong(name, other, "a string"),
        };

        /// <summary>Throws unless the boolean field is absent or equal to <paramref name="supported"/>.</summary>
        public void Require(string name, bool supported, string why)
        {
            var value = root[name] switch
            {
                null => supported,
                JsonValue v when v.TryGetValue<bool>(out var b) => b,
                var other => throw Wrong(name, other, "true or false"),
            };
            if (value != supported) throw Unsupported(name, value ? "true" : "false", why);
        }

        /// <summary>The kit's single dropout rate from several checkpoint fields, which must agree.</summary>
        public float OneDropout(string[] names)
        {
            var values = names.Select(n => (n, p: Float(n, 0.1f))).ToArray();
            if (values.Select(x => x.p).Distinct().Count() > 1)
                throw new NotSupportedException(
                    $"'{source}' has different dropout rates ({string.Join(", ", values.Select(x => $"{x.n} = {x.p.ToString(CultureInfo.InvariantCulture)}"))}) " +
                    "but the kit's model has one rate for all of them. Pass dropout: to FromPretrained to choose it (it only matters in training).");
            return values[0].p;
        }

        public NotSupportedException Unsupported(string name, string value, string why) =>
            new($"'{source}' sets \"{name}\" to {value}, which the kit does not implement: {why}. Loading it would compute a different function.");

        InvalidDataException Wrong(string name, JsonNode? value, string expected) =>
            new($"'{source}': \"{name}\" should be {expected}, found {value?.ToJsonString() ?? "null"}.");
    }
}
