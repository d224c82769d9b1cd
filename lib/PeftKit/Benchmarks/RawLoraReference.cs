using System.Diagnostics;
using PeftKit.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Benchmarks;

/// <summary>The kit-overhead reference: the bench's LoRA training step written as plain TorchSharp, with no PeftModel,
/// LoraLinear, AdapterDict or Trainer. It reuses the TransformerModel forward (the same model code both sides), swaps the
/// LoRA targets for <see cref="RawLoraLayer"/> by hand and steps a hand-written AdamW (decoupled weight decay, as
/// torch.optim.AdamW, decay on tensors with ≥ 2 dimensions like the kit's Trainer).</summary>
internal sealed class RawLoraReference : IDisposable
{
    const double Lr = BenchRunner.LearningRate, Wd = BenchRunner.WeightDecay, B1 = 0.9, B2 = 0.999, Eps = 1e-8;
    readonly TransformerModel _model;
    readonly Parameter[] _params;
    readonly bool[] _decay;
    readonly Tensor[] _m, _v;
    int _t;

    public RawLoraReference(TransformerModel model, TargetModules targets, int rank, double alpha)
    {
        _model = model;
        foreach (var p in model.parameters()) p.requires_grad = false;
        foreach (var name in model.LinearModuleNames().Where(targets.Matches).ToList())
            model.ReplaceSubmodule(name, new RawLoraLayer(model.GetSubmodule(name), rank, alpha / rank));
        foreach (var (name, p) in model.named_parameters())
            if (name.StartsWith("score.", StringComparison.Ordinal) || name.StartsWith("classifier.", StringComparison.Ordinal)) p.requires_grad = true;   // the head trains, as in the kit
        _params = [.. model.parameters().Where(p => p.requires_grad)];
        _decay = [.. _params.Select(p => p.dim() >= 2)];
        _m = [.. _params.Select(p => zeros_like(p))];
        _v = [.. _params.Select(p => zeros_like(p))];
    }

    public IReadOnlyList<Parameter> Trainable => _params;

    /// <summary>One step: forward, loss, backward, AdamW update, gradients zeroed. Returns its wall time in ms.</summary>
    public double Step(ModelInput batch)
    {
        var clock = Stopwatch.StartNew();
        using (var scope = NewDisposeScope())
        {
            var output = _model.forward(batch);
            output.Loss!.backward();
            _t++;
            double bc1 = 1 - Math.Pow(B1, _t), bc2 = 1 - Math.Pow(B2, _t);
            using var _ = no_grad();
            for (int i = 0; i < _params.Length; i++)
            {
                var p = _params[i];
                var g = p.grad;
                if (g is null) continue;
                if (_decay[i]) p.mul_(1 - Lr * Wd);
                _m[i].mul_(B1).add_(g, alpha: 1 - B1);                                 // m ← β1 m + (1−β1) g
                _v[i].mul_(B2).addcmul_(g, g, value: 1 - B2);                          // v ← β2 v + (1−β2) g²
                var denom = _v[i].sqrt().div_(Math.Sqrt(bc2)).add_(Eps);              // √(v / (1−β2ᵗ)) + ε
                p.addcdiv_(_m[i], denom, value: -Lr / bc1);                            // p ← p − lr · m̂ / denom
                g.zero_();
            }
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    public void Dispose()
    {
        foreach (var t in _m.Concat(_v)) t.Dispose();
        _model.Dispose();
    }

    /// <summary>y = base(x) + s · (x Aᵀ) Bᵀ with A (r, in) Kaiming-uniform, B (out, r) zero: LoRA without the kit's classes.</summary>
    sealed class RawLoraLayer : Module<Tensor, Tensor>
    {
        readonly Module<Tensor, Tensor> base_layer;
        readonly Parameter A;
        readonly Parameter B;
        readonly double _scale;

        public RawLoraLayer(Module<Tensor, Tensor> baseLayer, int rank, double scale) : base(nameof(RawLoraLayer))
        {
            var (inF, outF) = baseLayer switch
            {
                Linear l => (l.weight!.shape[1], l.weight!.shape[0]),
                Conv1D c => ((long)c.InFeatures, (long)c.OutFeatures),
                _ => throw new NotSupportedException($"The raw LoRA reference adapts Linear and Conv1D layers, not {baseLayer.GetType().Name}."),
            };
            base_layer = baseLayer;
            A = new Parameter(empty(rank, inF));
            B = new Parameter(zeros(outF, rank));
            using (no_grad()) init.kaiming_uniform_(A, a: Math.Sqrt(5));
            _scale = scale;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var y = base_layer.call(x);                                                    // (…, out)
            return y.add_(functional.linear(functional.linear(x, A), B).mul_(_scale));     // (…, r) then (…, out)
        }
    }
}
