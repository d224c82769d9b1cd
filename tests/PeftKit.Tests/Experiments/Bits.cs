namespace PeftKit.Tests.Experiments;

/// <summary>Bit-for-bit tensor comparison (same shape, same float32 bit patterns; no tolerance).</summary>
static class Bits
{
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype) return false;
        if (a.dtype != float32) throw new ArgumentException("Bits.Same compares float32 tensors.");
        using var x = a.detach().cpu().contiguous();
        using var y = b.detach().cpu().contiguous();
        // Compare bit patterns, not values: -0 vs 0 or a changed NaN payload counts as a change.
        return x.data<float>().Select(BitConverter.SingleToInt32Bits).SequenceEqual(y.data<float>().Select(BitConverter.SingleToInt32Bits));
    }
}
