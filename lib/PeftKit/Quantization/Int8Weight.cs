using static TorchSharp.torch;

namespace PeftKit.Quantization;

/// <summary>
/// Vector-wise int8 (LLM.int8's weight scheme, Dettmers et al. 2022): each output row r keeps its absmax a_r; the codes are
/// q = round(127·w / a_r) in [−127, 127], and w ≈ q·a_r/127. Error per weight at most a_r/254 (half a step). LLM.int8's
/// outlier split (16-bit matmul for outlier input features) is not implemented: it concerns activations at inference
/// scale, and the frozen weights here are what it would leave in int8 anyway.
/// </summary>
public sealed class Int8Weight : QuantizedWeight
{
    Tensor _codes;   // (out, in) int8
    Tensor _scales;  // (out) float32: a_r / 127

    Int8Weight(Tensor codes, Tensor scales) : base(codes.shape[0], codes.shape[1])
    {
        _codes = codes;
        _scales = scales;
    }

    /// <summary>Quantises a float matrix (out, in).</summary>
    public static Int8Weight Quantize(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 2) throw new ArgumentException($"Int8 quantisation takes a matrix (out, in); got shape ({string.Join(", ", weight.shape)}).", nameof(weight));
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var (codes, steps) = QuantizeRows(weight.detach().to(float32));             // (out, in), (out)
        return new Int8Weight(codes.MoveToOuterDisposeScope(), steps.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Symmetric absmax int8 of each row of <paramref name="rows"/> (r, k): step a/127 with a = max|row| (never 0) and
    /// codes round(x/step) in [−127, 127]. Also NF4's double quantisation of its absmax constants.
    /// </summary>
    internal static (Tensor Codes, Tensor Steps) QuantizeRows(Tensor rows)
    {
        var steps = rows.abs().amax([1]).clamp_min(float.Epsilon) / 127;              // (r)
        var codes = (rows / steps.unsqueeze(1)).round().clamp(-127, 127).to(int8);    // (r, k)
        return (codes, steps);
    }

    /// <summary>The float32 rows (r, k) that int8 <paramref name="codes"/> (r, k) with per-row <paramref name="steps"/> (r) stand for.</summary>
    internal static Tensor RestoreRows(Tensor codes, Tensor steps)
    {
        using var scope = NewDisposeScope();
        return codes.to(float32).mul_(steps.unsqueeze(1)).MoveToOuterDisposeScope();    // scaled in place: one (out, in) float32 buffer
    }

    /// <summary>The codes (out, in), int8.</summary>
    public Tensor Codes => _codes;

    /// <summary>Per-row step a_r / 127 (out), float32.</summary>
    public Tensor Scales => _scales;

    /// <inheritdoc/>
    public override Tensor Dequantize() => RestoreRows(_codes, _scales);               // (out, in)

    /// <inheritdoc/>
    public override void MoveTo(Device device)
    {
        (_codes, _scales) = (Move(_codes, device), Move(_scales, device));
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Tensor> Stored => [_codes, _scales];
}
