using PeftKit.Models;
using PeftKit.Quantization;
using TorchSharp.Modules;

namespace PeftKit.Methods.Lora;

/// <summary>LoRA on a model: wraps every target module in a <see cref="LoraLinear"/> (or adds to an existing one).</summary>
internal sealed class LoraAdapter : PeftAdapter
{
    readonly List<(string path, LoraLinear layer)> _layers = [];

    public LoraAdapter(PeftModel model, string name, LoraConfig config) : base(model, name, config)
    {
        foreach (var path in config.TargetModules.Resolve(Candidates(Base), "LoRA"))
        {
            var module = Base.GetSubmodule(path);
            if (module is not LoraLinear lora)
            {
                lora = new LoraLinear(module);
                Base.ReplaceSubmodule(path, lora);
            }
            lora.AddAdapter(name, config);
            _layers.Add((path, lora));
        }
    }

    /// <summary>Linear-like modules and existing LoRA layers, not the modules inside LoRA layers.</summary>
    internal static IReadOnlyList<string> Candidates(TransformerModel model) =>
        [.. model.named_modules()
            .Where(m => m.module is Linear or Conv1D or QuantizedLinear or LoraLinear)
            .Select(m => m.name)
            .Where(n => !n.Split('.').Any(s => s == "base_layer" || s.StartsWith("lora_", StringComparison.Ordinal)))];

    protected override string? ParameterPrefix => "lora_";

    internal override bool Owns(string parameterName) => HasPrefixedSegment(parameterName, "lora_", Name);

    internal override void SetEnabled(bool enabled)
    {
        foreach (var (_, l) in _layers) l.SetEnabled(Name, enabled);
    }

    internal override void Remove()
    {
        foreach (var (path, l) in _layers)
        {
            l.RemoveAdapter(Name);
            if (!l.Adapters.Any()) Base.ReplaceSubmodule(path, l.BaseLayer);
        }
        _layers.Clear();
    }

    internal override bool IsMerged => _layers.Any(l => l.layer.Merged == Name);

    internal override void Merge()
    {
        foreach (var (_, l) in _layers) l.Merge(Name);
    }

    internal override void Unmerge()
    {
        foreach (var (_, l) in _layers) if (l.Merged == Name) l.Unmerge();
    }

    internal override void Unload()
    {
        foreach (var (path, l) in _layers) Base.ReplaceSubmodule(path, l.BaseLayer);
        _layers.Clear();
    }
}
