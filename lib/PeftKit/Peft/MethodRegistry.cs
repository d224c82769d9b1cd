using System.Text.Json.Nodes;

namespace PeftKit;

/// <summary>Readers of the prompt-style and adapter configurations, keyed by peft_type.</summary>
internal static class MethodRegistry
{
    public static PeftConfig? Read(string type, JsonObject o) => type switch
    {
        _ => null,
    };
}
