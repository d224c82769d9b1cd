using System.Text.Json.Nodes;

namespace PeftKit.Methods.PromptTuning;

/// <summary>
/// Prompt tuning (Lester et al. 2021): n soft-prompt vectors prepended to the input embeddings only, no
/// reparameterisation, everything else frozen. Parameters n·d.
/// </summary>
public sealed record PromptTuningConfig : PeftConfig
{
    /// <summary>Creates and validates a configuration.</summary>
    public PromptTuningConfig(int numVirtualTokens = 20, PromptInit? init = null)
    {
        NumVirtualTokens = numVirtualTokens;
        Init = init ?? PromptInit.Random();
    }

    /// <inheritdoc/>
    public override string PeftType => Descriptor.PeftType;

    /// <summary>This method's row of <see cref="MethodCatalog"/>; the recipe is what the bench and the experiments train.</summary>
    public static MethodDescriptor Descriptor { get; } = new("prompt", "PROMPT_TUNING", typeof(PromptTuningConfig), Read,
        c => new PromptTuningConfig(c.VirtualTokens), LearningRate: 3e-2);

    /// <summary>n (≥ 1; length beyond 1 is critical, beyond ~20 marginal).</summary>
    public int NumVirtualTokens { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(NumVirtualTokens), value, "Prompt tuning needs at least 1 virtual token (typical: 20)."); }

    /// <summary>How the prompt starts.</summary>
    public PromptInit Init { get; init => field = value ?? throw new ArgumentNullException(nameof(Init)); }

    internal override PeftAdapter CreateAdapter(PeftModel model, string name) => new PromptTuningAdapter(model, name, this);

    internal override void WriteJson(JsonObject o)
    {
        o["num_virtual_tokens"] = NumVirtualTokens;
        o["num_transformer_submodules"] = 1;
        o["prompt_tuning_init"] = Init.Kind switch { PromptInitKind.Text => "TEXT", PromptInitKind.SampledVocab => "SAMPLE_VOCAB", _ => "RANDOM" };
        o["prompt_tuning_init_text"] = null;
        o["kit_init_range"] = Init.Range;
        o["kit_init_token_ids"] = Init.TokenIds is null ? null : new JsonArray([.. Init.TokenIds.Select(t => JsonValue.Create(t))]);
    }

    internal static PromptTuningConfig Read(JsonObject o)
    {
        var kind = PeftConfigJson.OptString(o, "prompt_tuning_init");
        var ids = o["kit_init_token_ids"] is JsonArray a ? a.Select(n => n!.GetValue<long>()).ToArray() : null;
        // A reference-library TEXT config carries text, not ids; the init does not matter when loading trained prompts.
        var init = kind switch
        {
            "TEXT" when ids is not null => PromptInit.Text(ids),
            "SAMPLE_VOCAB" => PromptInit.SampledVocab(),
            _ => PromptInit.Random(PeftConfigJson.OptDouble(o, "kit_init_range") ?? 0.5),
        };
        return new PromptTuningConfig(PeftConfigJson.Int(o, "num_virtual_tokens"), init);
    }
}
