using System.Text.Json;
using System.Text.Json.Nodes;
using PeftKit.Methods;

namespace PeftKit;

/// <summary>Reading <c>adapter_config.json</c>: dispatch on <c>peft_type</c> and typed field access with clear errors.</summary>
internal static class PeftConfigJson
{
    public static PeftConfig Read(string json)
    {
        JsonObject o;
        try { o = JsonNode.Parse(json)?.AsObject() ?? throw new InvalidDataException("adapter_config.json is 'null'."); }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"adapter_config.json is not a JSON object: {e.Message}", e);
        }
        var type = OptString(o, "peft_type") ?? throw new InvalidDataException("adapter_config.json has no 'peft_type'; is it a PEFT adapter configuration?");
        var method = MethodCatalog.ByPeftType(type) ?? throw new NotSupportedException(
            $"adapter_config.json has peft_type '{type}', which this kit does not implement (it has {string.Join(", ", MethodCatalog.All.Select(d => d.PeftType))}).");
        var config = method.ReadJson(o);
        return OptBool(o, "kit_train_head") is { } head ? config with { TrainHead = head } : config;
    }

    public static JsonNode Write(TargetModules t) => t.Pattern is not null ? JsonValue.Create(t.Pattern) : new JsonArray([.. t.Names!.Select(n => JsonValue.Create(n))]);

    public static TargetModules ReadTargets(JsonObject o, string key) => o[key] switch
    {
        JsonArray a => TargetModules.Of([.. a.Select(n => n!.GetValue<string>())]),
        JsonValue v when v.TryGetValue<string>(out var s) => TargetModules.Regex(s),
        _ => throw new InvalidDataException($"adapter_config.json: '{key}' must be a list of module names or a regex string."),
    };

    public static int Int(JsonObject o, string key) => OptInt(o, key) ?? throw Missing(key);

    public static double Double(JsonObject o, string key) => OptDouble(o, key) ?? throw Missing(key);

    public static int? OptInt(JsonObject o, string key) => o[key] is JsonValue v ? Get<int>(v, key) : null;

    public static double? OptDouble(JsonObject o, string key) => o[key] is JsonValue v ? Get<double>(v, key) : null;

    public static bool? OptBool(JsonObject o, string key) => o[key] is JsonValue v ? Get<bool>(v, key) : null;

    public static string? OptString(JsonObject o, string key) => o[key] is JsonValue v ? Get<string>(v, key) : null;

    static T Get<T>(JsonValue v, string key) => v.TryGetValue<T>(out var x) ? x
        : throw new InvalidDataException($"adapter_config.json: '{key}' = {v.ToJsonString()} is not a {typeof(T).Name}.");

    static InvalidDataException Missing(string key) => new($"adapter_config.json lacks '{key}'.");
}
