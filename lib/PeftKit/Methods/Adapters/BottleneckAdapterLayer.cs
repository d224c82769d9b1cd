using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.Adapters;

/// <summary>
/// The module placed on one sublayer: serial, on its output, h + s·adapter_up(act(adapter_down(h))) for the active
/// adapter and h otherwise; parallel, on its input, s·adapter_up(act(adapter_down(x))) alone (the host adds it to the
/// sublayer's output) and 0 otherwise. Parameters <c>adapter_down.{adapter}.weight</c> (r, d), <c>.bias</c> (r), <c>adapter_up.{adapter}.weight</c> (d, r), <c>.bias</c> (d).
/// </summary>
public sealed class BottleneckAdapterLayer : Module<Tensor, Tensor>
{
    readonly AdapterDict<Linear> adapter_down;
    readonly AdapterDict<Linear> adapter_up;
    readonly Dictionary<string, AdapterActivation> _activation = [];
    readonly Dictionary<string, double> _scaling = [];
    string? _active;

    /// <summary>An empty layer for block <paramref name="layer"/>, sublayer <paramref name="sublayer"/>, serial or parallel.</summary>
    public BottleneckAdapterLayer(int layer, Sublayer sublayer, bool parallel = false) : base(nameof(BottleneckAdapterLayer))
    {
        Layer = layer;
        Sublayer = sublayer;
        IsParallel = parallel;
        adapter_down = new AdapterDict<Linear>();
        adapter_up = new AdapterDict<Linear>();
        RegisterComponents();
    }

    /// <summary>The block index.</summary>
    public int Layer { get; }

    /// <summary>The sublayer whose output is adapted.</summary>
    public Sublayer Sublayer { get; }

    /// <summary>Whether the layer sits beside the sublayer (reads its input, returns only its contribution).</summary>
    public bool IsParallel { get; }

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
        _scaling[name] = config.Scaling;
    }

    internal void RemoveAdapter(string name)
    {
        if (_active == name) _active = null;
        adapter_down.Remove(name);
        adapter_up.Remove(name);
        _activation.Remove(name);
        _scaling.Remove(name);
    }

    internal void SetEnabled(string name, bool enabled)
    {
        if (enabled) _active = name;
        else if (_active == name) _active = null;
    }

    /// <summary>Serial: h (B, T, d) → h + s·up(act(down(h))); parallel: x (B, T, d) → s·up(act(down(x))). (B, T, d).</summary>
    public override Tensor forward(Tensor h)
    {
        if (_active is null) return IsParallel ? zeros_like(h) : h;
        var z = adapter_down[_active].call(h);                    // (B, T, r)
        z = _activation[_active] switch
        {
            AdapterActivation.Relu => functional.relu(z),
            AdapterActivation.Tanh => tanh(z),
            _ => functional.gelu(z),
        };
        var delta = adapter_up[_active].call(z);                  // (B, T, d)
        if (_scaling[_active] != 1) delta = delta.mul_(_scaling[_active]);
        return IsParallel ? delta : h + delta;                    // serial: the adapter's own skip connection
    }
}
