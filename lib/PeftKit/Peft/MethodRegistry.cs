using System.Text.Json.Nodes;

namespace PeftKit;

/// <summary>Readers of the prompt-style and adapter configurations, keyed by peft_type.</summary>
internal static class MethodRegistry
{
    public static PeftConfig? Read(string type, JsonObject o) => type switch
    {
        "BOTTLENECK_ADAPTER" => Methods.Adapters.AdapterConfig.Read(o),
        "PREFIX_TUNING" => Methods.PrefixTuning.PrefixTuningConfig.Read(o),
        "PROMPT_TUNING" => Methods.PromptTuning.PromptTuningConfig.Read(o),
        "P_TUNING" => Methods.PTuning.PTuningConfig.Read(o),
        "P_TUNING_V2" => Methods.PTuningV2.PTuningV2Config.Read(o),
        _ => null,
    };
}
