using TorchSharp;
using PeftKit.Models;
using PeftKit.Quantization;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.Lora;

/// <summary>
/// A Linear or GPT-2 Conv1D with LoRA adapters beside it: y = base_layer(x) + s·lora_B(lora_A(dropout(x))) for the
/// active adapter. Parameters are named as in the reference library: <c>base_layer.weight</c>,
/// <c>lora_A.{adapter}.weight</c> (r, d_in), <c>lora_B.{adapter}.weight</c> (d_out, r).
/// </summary>
public sealed class LoraLinear : Module<Tensor, Tensor>
{
    Module<Tensor, Tensor> base_layer;
    QuantizedLinear? _quantizedWhileMerged;   // the quantised base, set aside while a float32 merged copy stands in
    readonly AdapterDict<Linear> lora_A;
    readonly AdapterDict<Linear> lora_B;
    readonly AdapterDict<Module<Tensor, Tensor>> lora_dropout;
    readonly Dictionary<string, double> _scaling = [];
    string? _active;
    string? _merged;
    Tensor? _unmergedWeight;

    /// <summary>Wraps <paramref name="baseLayer"/>, a torch Linear, a GPT-2 <see cref="Conv1D"/> or a <see cref="QuantizedLinear"/> (QLoRA).</summary>
    public LoraLinear(Module<Tensor, Tensor> baseLayer) : base(nameof(LoraLinear))
    {
        switch (baseLayer)
        {
            case Linear lin: InFeatures = (int)lin.weight!.shape[1]; OutFeatures = (int)lin.weight!.shape[0]; break;
            case Conv1D conv: InFeatures = conv.InFeatures; OutFeatures = conv.OutFeatures; FanInFanOut = conv.FanInFanOut; break;
            case QuantizedLinear q: InFeatures = q.InFeatures; OutFeatures = q.OutFeatures; break;
            default: throw new NotSupportedException($"LoRA adapts torch Linear, GPT-2 Conv1D and quantised layers; got a {baseLayer.GetType().Name}. Pick Linear-like target modules.");
        }
        base_layer = baseLayer;
        lora_A = new AdapterDict<Linear>();
        lora_B = new AdapterDict<Linear>();
        lora_dropout = new AdapterDict<Module<Tensor, Tensor>>();
        RegisterComponents();
    }

    /// <summary>The wrapped layer.</summary>
    public Module<Tensor, Tensor> BaseLayer => base_layer;

    /// <summary>d_in.</summary>
    public int InFeatures { get; }

    /// <summary>d_out.</summary>
    public int OutFeatures { get; }

    /// <summary>True for GPT-2's Conv1D, whose weight is (in, out): a delta (out, in) is transposed before merging.</summary>
    public bool FanInFanOut { get; }

    /// <summary>Adapters held here.</summary>
    public IEnumerable<string> Adapters => lora_A.Keys;

    /// <summary>The adapter that runs (null: none).</summary>
    public string? Active => _active;

    /// <summary>The adapter merged into the base weight, if any.</summary>
    public string? Merged => _merged;

    /// <summary>The base weight: (out, in) for Linear, (in, out) for Conv1D.</summary>
    Parameter Weight => base_layer switch
    {
        Linear lin => lin.weight!,
        Conv1D conv => conv.Weight,
        _ => throw new InvalidOperationException("A quantised base has no float weight; Merge replaces it by a float32 layer instead."),
    };

    /// <summary>Device and dtype the adapter's matrices take: the base weight's (float32 for a quantised base).</summary>
    (Device device, ScalarType dtype) Placement => base_layer is QuantizedLinear q ? (q.Weight.Stored[0].device, float32) : (Weight.device, Weight.dtype);

    internal void AddAdapter(string name, LoraConfig config)
    {
        var a = Linear(InFeatures, config.Rank, hasBias: false);   // (r, in)
        var b = Linear(config.Rank, OutFeatures, hasBias: false);  // (out, r)
        using (no_grad())
        {
            if (config.Init == LoraInit.KaimingUniform) init.kaiming_uniform_(a.weight!, a: Math.Sqrt(5));   // U(±1/√in)
            else init.normal_(a.weight!, 0, 1.0 / config.Rank);
            b.weight!.zero_();                                                                              // B = 0: starts as identity
        }
        var (device, dtype) = Placement;
        if (device.type != a.weight!.device.type || dtype != a.weight!.dtype) { a.to(dtype).to(device); b.to(dtype).to(device); }
        lora_A.Add(name, a);
        lora_B.Add(name, b);
        lora_dropout.Add(name, config.Dropout > 0 ? Dropout(config.Dropout) : Identity());
        _scaling[name] = config.Scaling;
    }

    internal void RemoveAdapter(string name)
    {
        if (_active == name) _active = null;
        lora_A.Remove(name);
        lora_B.Remove(name);
        lora_dropout.Remove(name);
        _scaling.Remove(name);
    }

    internal void SetEnabled(string name, bool enabled)
    {
        if (enabled) _active = name;
        else if (_active == name) _active = null;
    }

    /// <summary>ΔW = s·B·A of adapter <paramref name="name"/>, shape (out, in).</summary>
    public Tensor DeltaWeight(string name) => lora_B[name].weight!.matmul(lora_A[name].weight!).mul(_scaling[name]);

    /// <summary>y = W₀x + s·B·A·dropout(x), (…, in) → (…, out). Merged or no active adapter: W x only.</summary>
    public override Tensor forward(Tensor x)
    {
        var result = base_layer.call(x);                                                    // (…, out)
        if (_active is null || _merged is not null) return result;
        var h = lora_A[_active].call(lora_dropout[_active].call(x));                      // (…, r)
        return result.add_(lora_B[_active].call(h).mul_(_scaling[_active]));              // (…, out)
    }

    internal void Merge(string name)
    {
        if (_merged is not null) throw new InvalidOperationException($"Adapter '{_merged}' is already merged; Unmerge() first.");
        using var _ = no_grad();
        if (base_layer is QuantizedLinear q)
        {
            // QLoRA: the merged layer is float32, dequant(W₀) + s·B·A. Re-quantising it (what the reference library does
            // for 4-bit bases, with a warning) would round most of a small update away; Unmerge puts the codes back.
            var merged = Linear(InFeatures, OutFeatures, hasBias: q.Bias is not null, device: Placement.device);
            using (var w0 = q.Weight.Dequantize())
            using (var update = DeltaWeight(name))
                merged.weight!.copy_(w0 + update);                                              // (out, in)
            if (q.Bias is { } b) merged.bias!.copy_(b);
            foreach (var p in merged.parameters()) p.requires_grad = false;
            _quantizedWhileMerged = q;
            SetBaseLayer(merged);
            _merged = name;
            return;
        }
        var w = Weight;
        _unmergedWeight = w.detach().clone();   // kept so Unmerge restores W₀ bit for bit ((W+Δ)−Δ ≠ W in float)
        using var delta = DeltaWeight(name);    // (out, in)
        w.add_(FanInFanOut ? delta.t() : delta);
        _merged = name;
    }

    internal void Unmerge()
    {
        if (_merged is null) return;
        if (_quantizedWhileMerged is { } q)
        {
            var merged = base_layer;
            SetBaseLayer(q);
            merged.Dispose();
            _quantizedWhileMerged = null;
            _merged = null;
            return;
        }
        using (no_grad()) Weight.copy_(_unmergedWeight!);
        _unmergedWeight!.Dispose();
        _unmergedWeight = null;
        _merged = null;
    }

    void SetBaseLayer(Module<Tensor, Tensor> layer)
    {
        base_layer = layer;
        ModuleTree.SetChild(this, nameof(base_layer), layer);
    }
}
