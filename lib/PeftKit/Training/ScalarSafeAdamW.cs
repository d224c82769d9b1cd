using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PeftKit.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> with the same update, in the same order, with the same state — except that every
/// scalar it hands to native code stays alive until that call returns.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107's AdamW.step passes implicitly converted <see cref="Scalar"/>s (<c>mul_(beta1)</c>,
/// <c>addcmul_(grad, grad, value: 1 - beta2)</c>, …) as raw handles to P/Invoke calls and never touches them again.
/// The JIT may treat such a temporary as dead once its handle is read; if a garbage collection runs meanwhile (any
/// other thread allocating), the finalizer thread frees the native scalar while libtorch is reading it. That is the
/// chance CI failure "Expected false to be true … toFloat at c10/core/Scalar.h:140" inside <c>THSTensor_addcmul_</c>.
/// Here each scalar is a local disposed after its call, which keeps it reachable across the call. The arithmetic is
/// TorchSharp's, operation for operation (tests hold it bit-identical to TorchSharp's AdamW and run it under a
/// collector forced from another thread).
/// </remarks>
public sealed class ScalarSafeAdamW : AdamW
{
    /// <summary>Same arguments as TorchSharp's <c>optim.AdamW(groups, …)</c>.</summary>
    public ScalarSafeAdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : base(groups, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>Same arguments as TorchSharp's <c>optim.AdamW(parameters, …)</c>: one group holding every parameter.</summary>
    public ScalarSafeAdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weight_decay = 0, bool amsgrad = false, bool maximize = false)
        : this([new ParamGroup { Parameters = parameters }], lr, beta1, beta2, eps, weight_decay, amsgrad, maximize)
    {
    }

    /// <summary>One AdamW step (decoupled weight decay), as TorchSharp's <see cref="AdamW.step"/>.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double beta1 = options.beta1!.Value, beta2 = options.beta2!.Value, weightDecay = options.weight_decay!.Value;
        double eps = options.eps!.Value, lr = options.LearningRate!.Value;
        bool amsgrad = options.amsgrad!.Value, maximize = options.maximize!.Value;
        // add_(Scalar) would make its own temporary alpha = 1, exposed to the same race: every scalar is ours, passed explicitly.
        using Scalar decay = 1 - lr * weightDecay, b1 = beta1, oneMinusB1 = 1 - beta1, b2 = beta2, oneMinusB2 = 1 - beta2, epsilon = eps, one = 1;
        foreach (var param in group.Parameters)
        {
            var state = (State)_state[param.Handle];
            var grad = param.grad;
            if (grad is null) continue;
            if (maximize) grad = -grad;
            state.step += 1;
            param.mul_(decay);                                            // θ ← θ(1 − lr·λ)
            var biasCorrection1 = 1 - Math.Pow(beta1, state.step);
            var biasCorrection2 = 1 - Math.Pow(beta2, state.step);
            state.exp_avg.mul_(b1).add_(grad, alpha: oneMinusB1);          // m ← β₁m + (1 − β₁)g
            state.exp_avg_sq.mul_(b2).addcmul_(grad, grad, value: oneMinusB2); // v ← β₂v + (1 − β₂)g²
            using Scalar sqrtBias2 = Math.Sqrt(biasCorrection2), stepSize = -(lr / biasCorrection1);
            Tensor denom;
            if (amsgrad)
            {
                var previous = state.max_exp_avg_sq;
                state.max_exp_avg_sq = maximum(previous, state.exp_avg_sq).DetachFromDisposeScope();
                previous.Dispose();
                denom = state.max_exp_avg_sq.sqrt().div(sqrtBias2).add_(epsilon, one);
            }
            else
            {
                denom = state.exp_avg_sq.sqrt().div(sqrtBias2).add_(epsilon, one); // √v / √(1 − β₂ᵗ) + ε
            }
            param.addcdiv_(state.exp_avg, denom, value: stepSize);        // θ ← θ − lr/(1 − β₁ᵗ) · m / denom
        }
    }, closure);
}
