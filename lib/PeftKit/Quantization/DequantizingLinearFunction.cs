using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace PeftKit.Quantization;

/// <summary>
/// y = x · dequant(W)ᵀ + b as one autograd node that keeps only the codes for backward. Plain <c>functional.linear</c>
/// would save the dequantised (out, in) float32 matrix for ∂L/∂x = ∂L/∂y · W, so every quantised layer of a training
/// step would hold a float32 copy until backward, more than the float32 base itself. Here backward dequantises again
/// (QLoRA's implementation does the same): one more dequantisation a layer and step, and at most one float32 matrix
/// alive at a time. W and b are frozen, so only ∂L/∂x is returned.
/// </summary>
internal sealed class DequantizingLinearFunction : SingleTensorFunction<DequantizingLinearFunction>
{
    const string WeightKey = "weight";

    public override string Name => nameof(DequantizingLinearFunction);

    /// <summary>x (…, in), the stored weight, b (out) or null → (…, out).</summary>
    public static Tensor Apply(Tensor x, QuantizedWeight weight, Tensor? bias) => apply(x, weight, bias!);

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var x = (Tensor)vars[0];
        var weight = (QuantizedWeight)vars[1];
        var bias = vars[2] as Tensor;
        ctx.save_data(WeightKey, weight);
        return Linear(x, weight, bias);
    }

    /// <summary>x · dequant(W)ᵀ + b in x's dtype, the float matrix alive for this call only: the forward both paths share.</summary>
    internal static Tensor Linear(Tensor x, QuantizedWeight weight, Tensor? bias)
    {
        using var w = weight.Dequantize(x.dtype);                                  // (out, in), this call only
        return nn.functional.linear(x, w, bias is null || bias.dtype == x.dtype ? bias : bias.to(x.dtype));
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor gradOutput)
    {
        var weight = (QuantizedWeight)ctx.get_data(WeightKey);
        using var w = weight.Dequantize(gradOutput.dtype);                         // (out, in) again
        var gradX = gradOutput.matmul(w);                                          // (…, out)·(out, in) → (…, in)
        return [gradX, null!, null!];
    }
}
