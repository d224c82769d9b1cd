using System.Text.Json.Nodes;

namespace PeftKit.Methods.PTuning;

/// <summary>
/// P-Tuning v1 (Liu et al. 2021): continuous pseudo tokens placed by a template among the real tokens, produced by a
/// prompt encoder that is dropped after training (its outputs kept); input layer only; used with a masked LM and a
/// <see cref="Verbalizer"/> at [MASK]. Kept parameters n·d.
/// </summary>
public sealed record PTuningConfig : PeftConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    public PTuningConfig(PTuningTemplate template, PromptEncoderKind encoder = PromptEncoderKind.Lstm, int? encoderHiddenSize = null, double encoderDropout = 0)
    {
        Template = template;
        Encoder = encoder;
        EncoderHiddenSize = encoderHiddenSize;
        EncoderDropout = encoderDropout;
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("ptuning-v1", "P_TUNING", typeof(PTuningConfig), Read,
        c => new PTuningConfig(c.Template ?? throw new ArgumentException("P-Tuning v1 needs a template (MethodRecipeContext.Template): where the pseudo tokens, the input and [MASK] go.", nameof(c))), LearningRate: 1e-3, ReadsLabelWords: true);

    /// <summary>Where the pseudo tokens go.</summary>
    public PTuningTemplate Template { get; init => field = value ?? throw new ArgumentNullException(nameof(Template), "Give a PTuningTemplate."); }

    /// <summary>Prompt encoder type.</summary>
    public PromptEncoderKind Encoder { get; init => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Encoder), value, "Unknown PromptEncoderKind."); }

    /// <summary>Encoder hidden width h; null = the model width d.</summary>
    public int? EncoderHiddenSize { get; init => field = value is null or >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EncoderHiddenSize), value, "EncoderHiddenSize must be at least 1, or null for the model width."); }

    /// <summary>Dropout between the LSTM layers, in [0, 1).</summary>
    public double EncoderDropout { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(EncoderDropout), value, "EncoderDropout must be in [0, 1)."); }

    /// <summary>n, the number of pseudo tokens in the template.</summary>
    public int NumVirtualTokens => Template.VirtualTokens;

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new PTuningAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["encoder_reparameterization_type"] = Encoder == PromptEncoderKind.Lstm ? "LSTM" : "MLP";
        o["encoder_hidden_size"] = EncoderHiddenSize;
        o["encoder_num_layers"] = 2;
        o["encoder_dropout"] = EncoderDropout;
        o["kit_encoder"] = Encoder.ToString();
        o["kit_pseudo_token_id"] = Template.PseudoTokenId;
        o["kit_mask_token_id"] = Template.MaskTokenId;
        o["kit_template"] = new JsonArray([.. Template.Parts.Select(p => (JsonNode)new JsonObject
        {
            ["virtual"] = p.Virtual,
            ["anchor"] = p.Anchor is null ? null : new JsonArray([.. p.Anchor.Select(t => JsonValue.Create(t))]),
            ["input"] = p.InputSlot,
            ["mask"] = p.IsMask,
        })]);
    }

    internal static PTuningConfig Read(JsonObject o)
    {
        if (o["kit_template"] is not JsonArray parts)
            throw new NotSupportedException("This P_TUNING adapter has no kit_template: the reference library prepends its prompts, while this kit's P-Tuning places them by a template. Save it from the kit, or use PROMPT_TUNING.");
        var template = new PTuningTemplate(
            [.. parts.Select(n => n!.AsObject()).Select(p => new TemplatePart(
                p["virtual"]!.GetValue<int>(),
                p["anchor"] is JsonArray a ? [.. a.Select(t => t!.GetValue<long>())] : null,
                p["input"]!.GetValue<int>(),
                p["mask"]!.GetValue<bool>()))],
            o["kit_pseudo_token_id"]!.GetValue<long>(), o["kit_mask_token_id"]!.GetValue<long>());
        return new PTuningConfig(template, Enum.Parse<PromptEncoderKind>(PeftConfigJson.OptString(o, "kit_encoder") ?? "Lstm"),
            PeftConfigJson.OptInt(o, "encoder_hidden_size"), PeftConfigJson.OptDouble(o, "encoder_dropout") ?? 0);
    }
}
