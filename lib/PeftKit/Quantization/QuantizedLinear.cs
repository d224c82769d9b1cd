using PeftKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace PeftKit.Quantization;

/// <summary>
/// A frozen Linear (or GPT-2 Conv1D) whose weight is stored quantised: y = x · dequant(W)ᵀ + b, the (out, in) float32
/// matrix rebuilt from codes and scales on every call and dropped afterwards, so only the codes stay in memory. The
/// bias stays float32 (QLoRA quantises weight matrices only). Nothing here trains; LoRA adapts it from outside.
/// Quantise after moving the model to its device: the codes stay where they were made.
/// </summary>
public sealed class QuantizedLinear : Module<Tensor, Tensor>
{
    readonly Parameter? bias;   // (out), frozen

    /// <summary>Wraps a quantised (out, in) weight and an optional float bias (out).</summary>
    public QuantizedLinear(QuantizedWeight weight, Tensor? bias) : base(nameof(QuantizedLinear))
    {
        Weight = weight ?? throw new ArgumentNullException(nameof(weight));
        if (bias is not null)
        {
            if (bias.shape.Length != 1 || bias.shape[0] != weight.OutFeatures)
                throw new ArgumentException($"The bias has shape ({string.Join(", ", bias.shape)}) but the weight has {weight.OutFeatures} outputs.", nameof(bias));
            this.bias = new Parameter(bias.detach().clone(), requires_grad: false);
        }
        RegisterComponents();
    }

    /// <summary>Quantises a torch Linear or a GPT-2 Conv1D (whose (in, out) weight is transposed first).</summary>
    public static QuantizedLinear From(Module<Tensor, Tensor> layer, QuantizationKind kind)
    {
        var (weight, bias) = layer switch
        {
            Linear lin => (lin.weight!, lin.bias),
            Conv1D conv => (conv.Weight.t(), (Tensor?)conv.Bias),
            _ => throw new NotSupportedException($"Only torch Linear and GPT-2 Conv1D layers can be quantised; got a {layer.GetType().Name}."),
        };
        QuantizedWeight q = kind switch
        {
            QuantizationKind.Int8 => Int8Weight.Quantize(weight),
            QuantizationKind.Nf4 => Nf4Weight.Quantize(weight),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Int8 or Nf4."),
        };
        return new QuantizedLinear(q, bias);
    }

    /// <summary>The stored weight.</summary>
    public QuantizedWeight Weight { get; }

    /// <summary>The float bias (out), or null.</summary>
    public Tensor? Bias => bias;

    /// <summary>d_in.</summary>
    public int InFeatures => (int)Weight.InFeatures;

    /// <summary>d_out.</summary>
    public int OutFeatures => (int)Weight.OutFeatures;

    /// <summary>x (…, in) → (…, out) = x · dequant(W)ᵀ + b. When x needs a gradient, backward dequantises again instead of
    /// keeping the float32 matrix alive (<see cref="DequantizingLinearFunction"/>).</summary>
    public override Tensor forward(Tensor x)
    {
        return x.requires_grad && is_grad_enabled()
            ? DequantizingLinearFunction.Apply(x, Weight, bias)
            : DequantizingLinearFunction.Linear(x, Weight, bias);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) Weight.Dispose();
        base.Dispose(disposing);
    }
}
