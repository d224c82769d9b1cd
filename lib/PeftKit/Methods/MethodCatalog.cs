using PeftKit.Methods.Adapters;
using PeftKit.Methods.Baselines;
using PeftKit.Methods.BitFit;
using PeftKit.Methods.IA3;
using PeftKit.Methods.LnTuning;
using PeftKit.Methods.Lora;
using PeftKit.Methods.MixAndMatch;
using PeftKit.Methods.PrefixTuning;
using PeftKit.Methods.PromptTuning;
using PeftKit.Methods.PTuning;
using PeftKit.Methods.PTuningV2;

namespace PeftKit.Methods;

/// <summary>
/// Every method the kit implements, one row each, in table order (baselines, then by what trains: biases, LayerNorm
/// gains and biases, scalings, inserted layers, virtual tokens, low-rank updates), then combinations. Adding a method: its folder
/// (configuration with its <see cref="MethodDescriptor"/>, adapter) and one row here.
/// </summary>
public static class MethodCatalog
{
    /// <summary>The rows.</summary>
    public static IReadOnlyList<MethodDescriptor> All { get; } =
    [
        FullFineTune.Descriptor, LinearProbe.Descriptor, BitFitConfig.Descriptor, LnTuningConfig.Descriptor, IA3Config.Descriptor,
        AdapterConfig.Descriptor, PrefixTuningConfig.Descriptor, PromptTuningConfig.Descriptor, PTuningConfig.Descriptor,
        PTuningV2Config.Descriptor, LoraConfig.Descriptor, MixAndMatchConfig.Descriptor,
    ];

    /// <summary>Every method's short name, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(d => d.Name)];

    /// <summary>The method with this short name.</summary>
    /// <exception cref="ArgumentException">No method has it; the message lists the names.</exception>
    public static MethodDescriptor ByName(string name) => All.FirstOrDefault(d => d.Name == name)
        ?? throw new ArgumentException($"Unknown method '{name}'; use any of: {string.Join(", ", Names)}.", nameof(name));

    /// <summary>The method with this adapter_config.json <c>peft_type</c>, or null.</summary>
    public static MethodDescriptor? ByPeftType(string peftType) => All.FirstOrDefault(d => d.PeftType == peftType);

    /// <summary>The method a configuration selects.</summary>
    public static MethodDescriptor Of(PeftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return All.FirstOrDefault(d => d.ConfigType == config.GetType())
            ?? throw new ArgumentException($"{config.GetType().Name} is not in MethodCatalog.All; add its descriptor there.", nameof(config));
    }
}
