using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Methods.IA3;

/// <summary>
/// A Linear or GPT-2 Conv1D with (IA)³ vectors <c>ia3_l.{adapter}</c>: y = base(x) ⊙ l (output scaling, l of shape
/// (d_out, 1) as the reference library stores it) or, for a feed-forward module, y = base(x ⊙ l) (input scaling, l of
/// shape (1, d_in)). On GPT-2's fused <c>c_attn</c> (d → 3d) only keys and values are scaled: l is (2d, 1) and the
/// query third is multiplied by 1.
/// </summary>
public sealed class IA3Linear : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> base_layer;
    readonly AdapterParameters ia3_l;
    readonly Dictionary<string, bool> _feedforward = [];
    string? _active;
    string? _merged;
    Tensor? _unmergedWeight, _unmergedBias;

    /// <summary>Wraps <paramref name="baseLayer"/>; <paramref name="fusedQkv"/> marks GPT-2's c_attn (only its k and v thirds are scaled).</summary>
    public IA3Linear(Module<Tensor, Tensor> baseLayer, bool fusedQkv) : base(nameof(IA3Linear))
    {
        switch (baseLayer)
        {
            case Linear lin: InFeatures = (int)lin.weight!.shape[1]; OutFeatures = (int)lin.weight!.shape[0]; break;
            case Conv1D conv: InFeatures = conv.InFeatures; OutFeatures = conv.OutFeatures; FanInFanOut = true; break;
            default: throw new NotSupportedException($"IA3 rescales torch Linear and GPT-2 Conv1D layers; got a {baseLayer.GetType().Name}.");
        }
        if (fusedQkv && OutFeatures != 3 * InFeatures)
            throw new ArgumentException($"A fused q/k/v projection maps d → 3d; this one maps {InFeatures} → {OutFeatures}.");
        FusedQkv = fusedQkv;
        base_layer = baseLayer;
        ia3_l = new AdapterParameters();
        RegisterComponents();
    }

    /// <summary>The wrapped layer.</summary>
    public Module<Tensor, Tensor> BaseLayer => base_layer;

    /// <summary>d_in.</summary>
    public int InFeatures { get; }

    /// <summary>d_out.</summary>
    public int OutFeatures { get; }

    /// <summary>True for GPT-2's Conv1D (weight stored (in, out)).</summary>
    public bool FanInFanOut { get; }

    /// <summary>True for GPT-2's fused c_attn: the query third is not scaled.</summary>
    public bool FusedQkv { get; }

    /// <summary>The adapter merged into the base weights, if any.</summary>
    public string? Merged => _merged;

    internal bool IsEmpty => !_feedforward.Any();

    internal void AddAdapter(string name, bool feedforward)
    {
        if (feedforward && FusedQkv) throw new ArgumentException("The fused q/k/v projection cannot be a feed-forward (input-scaled) module.");
        var w = Weight;
        long[] shape = feedforward ? [1, InFeatures] : [FusedQkv ? 2 * InFeatures : OutFeatures, 1];
        ia3_l.Add(name, new Parameter(ones(shape, w.dtype, w.device)));   // ones: the model starts unchanged
        _feedforward[name] = feedforward;
    }

    internal void RemoveAdapter(string name)
    {
        if (_active == name) _active = null;
        ia3_l.Remove(name);
        _feedforward.Remove(name);
    }

    internal void SetEnabled(string name, bool enabled)
    {
        if (enabled) _active = name;
        else if (_active == name) _active = null;
    }

    internal Parameter Vector(string name) => ia3_l[name];

    internal bool IsFeedforward(string name) => _feedforward[name];

    Parameter Weight => base_layer is Linear lin ? lin.weight! : ((Conv1D)base_layer).Weight;

    Tensor? Bias => base_layer is Linear lin ? lin.bias : ((Conv1D)base_layer).Bias;

    /// <summary>The per-output scale (d_out) of an output-scaled adapter: l, or [1…1, l] for the fused q/k/v projection.</summary>
    internal Tensor OutputScale(string name)
    {
        var l = ia3_l[name].flatten();                                                    // (d_out) or (2d)
        return FusedQkv ? cat([ones(InFeatures, l.dtype, l.device), l], 0) : l;           // (d_out)
    }

    /// <summary>Output-scaled: base(x) ⊙ l. Feed-forward: base(x ⊙ l). Merged or inactive: base(x).</summary>
    public override Tensor forward(Tensor x)
    {
        if (_active is null || _merged is not null) return base_layer.call(x);
        if (_feedforward[_active]) return base_layer.call(x * ia3_l[_active].flatten());    // (…, in) scaled, then (…, out)
        return base_layer.call(x) * OutputScale(_active);                                   // (…, out)
    }

    internal void Merge(string name)
    {
        if (_merged is not null) throw new InvalidOperationException($"Adapter '{_merged}' is already merged; Unmerge() first.");
        using var _ = no_grad();
        var w = Weight;
        var b = Bias;
        _unmergedWeight = w.detach().clone();   // kept so Unmerge restores W₀ bit for bit (division would round)
        _unmergedBias = b?.detach().clone();
        if (_feedforward[name])
        {
            // y = W (x ⊙ l): scale W's input columns; bias unchanged.
            using var l = ia3_l[name].flatten();                                            // (in)
            w.mul_(FanInFanOut ? l.unsqueeze(1) : l.unsqueeze(0));                          // (in, out) rows | (out, in) columns
        }
        else
        {
            // y = (W x + b) ⊙ l: scale W's output rows and the bias.
            using var l = OutputScale(name);                                                // (out)
            w.mul_(FanInFanOut ? l.unsqueeze(0) : l.unsqueeze(1));                          // (in, out) columns | (out, in) rows
            b?.mul_(l);
        }
        _merged = name;
    }

    internal void Unmerge()
    {
        if (_merged is null) return;
        using (no_grad())
        {
            Weight.copy_(_unmergedWeight!);
            if (_unmergedBias is not null) Bias!.copy_(_unmergedBias);
        }
        _unmergedWeight!.Dispose();
        _unmergedBias?.Dispose();
        _unmergedWeight = _unmergedBias = null;
        _merged = null;
    }
}
