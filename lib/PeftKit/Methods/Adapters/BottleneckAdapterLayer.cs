using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.Adapters;

/// <summary>
/// The module placed on one sublayer output: h + adapter_up(act(adapter_down(h))) for the active adapter, h otherwise.
/// Parameters <c>adapter_down.{adapter}.weight</c> (r, d), <c>.bias</c> (r), <c>adapter_up.{adapter}.weight</c> (d, r), <c>.bias</c> (d).
/// </summary>
public sealed class BottleneckAdapterLayer : Module<Tensor, Tensor>
{
    readonly AdapterDict<Linear> adapter_down;
    readonly AdapterDict<Linear> adapter_up;
    readonly Dictionary<string, AdapterActivation> _activation = [];
    string? _active;

    /// <summary>An empty layer for block <paramref name="layer"/>, sublayer <paramref name="sublayer"/>.</summary>
    public BottleneckAdapterLayer(int layer, Sublayer sublayer) : base(nameof(BottleneckAdapterLayer))
    {
        Layer = layer;
        Sublayer = sublayer;
        adapter_down = new AdapterDict<Linear>();
        adapter_up = new AdapterDict<Linear>();
        RegisterComponents();
    }

    /// <summary>The block index.</summary>
    public int Layer { get; }

    /// <summary>The sublayer whose output is adapted.</summary>
    public Sublayer Sublayer { get; }

    internal bool IsEmpty => _activation.Count == 0;

    internal void AddAdapter(string name, AdapterConfig config, int width, Device device, ScalarType dtype)
    {
        var down = Linear(width, config.Bottleneck);   // (r, d)
        var up = Linear(config.Bottleneck, width);     // (d, r)
        using (no_grad())
        {
            init.normal_(down.weight!, 0, config.InitStd);
            down.bias!.zero_();
            if (config.ZeroUpProjection) up.weight!.zero_(); else init.normal_(up.weight!, 0, config.InitStd);
            up.bias!.zero_();
        }
        TorchSharp.ModuleExtensionMethods.to(TorchSharp.ModuleExtensionMethods.to(down, dtype), device);
        TorchSharp.ModuleExtensionMethods.to(TorchSharp.ModuleExtensionMethods.to(up, dtype), device);
        adapter_down.Add(name, down);
        adapter_up.Add(name, up);
        _activation[name] = config.Activation;
    }

    internal void RemoveAdapter(string name)
    {
        if (_active == name) _active = null;
        adapter_down.Remove(name);
        adapter_up.Remove(name);
        _activation.Remove(name);
    }

    internal void SetEnabled(string name, bool enabled)
    {
        if (enabled) _active = name;
        else if (_active == name) _active = null;
    }

    /// <summary>h (B, T, d) → h + up(act(down(h))) (B, T, d).</summary>
    public override Tensor forward(Tensor h)
    {
        if (_active is null) return h;
        var z = adapter_down[_active].call(h);                    // (B, T, r)
        z = _activation[_active] switch
        {
            AdapterActivation.Relu => functional.relu(z),
            AdapterActivation.Tanh => tanh(z),
            _ => functional.gelu(z),
        };
        return h + adapter_up[_active].call(z);                   // (B, T, d): the adapter's own skip connection
    }
}
