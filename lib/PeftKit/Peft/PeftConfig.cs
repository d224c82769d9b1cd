using System.Text.Json;
using System.Text.Json.Nodes;

namespace PeftKit;

/// <summary>
/// The configuration of one PEFT method. Every method has its own immutable record (LoraConfig, PrefixTuningConfig,
/// …) validated at construction; <see cref="Peft.Apply"/> turns it into an adapter on a model.
/// </summary>
public abstract record PeftConfig
{
    /// <summary>The method's name in the reference library's <c>adapter_config.json</c> ("LORA", "PREFIX_TUNING", …).</summary>
    public abstract string PeftType { get; }

    /// <summary>
    /// Whether the task head (<c>score</c>/<c>classifier</c>) trains with the method. null = yes when the model has a
    /// sequence- or token-classification head (a fresh head must learn; the reference library's modules_to_save),
    /// no for LM/MLM heads, whose weights are tied to the frozen embeddings.
    /// </summary>
    public bool? TrainHead { get; init; }

    /// <summary>Creates the method's adapter named <paramref name="name"/> on <paramref name="model"/>.</summary>
    internal abstract PeftAdapter CreateAdapter(PeftModel model, string name);

    /// <summary>Writes the method's own fields in the reference library's names.</summary>
    internal abstract void WriteJson(JsonObject o);

    /// <summary>The configuration as the reference library's <c>adapter_config.json</c> (plus kit fields it ignores).</summary>
    public string ToJson(string? taskType = null)
    {
        var o = new JsonObject
        {
            ["peft_type"] = PeftType,
            ["task_type"] = taskType,
            ["base_model_name_or_path"] = null,
            ["revision"] = null,
            ["inference_mode"] = true,
        };
        WriteJson(o);
        if (TrainHead is { } t) o["kit_train_head"] = t;
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Reads a configuration written by <see cref="ToJson"/> or by the reference library (for the methods both have).</summary>
    public static PeftConfig FromJson(string json) => PeftConfigJson.Read(json);
}
