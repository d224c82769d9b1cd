using static TorchSharp.torch;

namespace PeftKit.Quantization;

/// <summary>
/// A frozen weight matrix stored as codes and scales (<see cref="Int8Weight"/>, <see cref="Nf4Weight"/>), dequantised on
/// demand. The orientation is torch Linear's, (out, in), whatever layer it came from.
/// </summary>
public abstract class QuantizedWeight : IDisposable
{
    private protected QuantizedWeight(long outFeatures, long inFeatures)
    {
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
    }

    /// <summary>d_out: rows of the (out, in) matrix.</summary>
    public long OutFeatures { get; }

    /// <summary>d_in: columns of the (out, in) matrix.</summary>
    public long InFeatures { get; }

    /// <summary>Bytes the stored codes and scales take (what replaces the float32 matrix's 4·out·in), counted from the tensors held.</summary>
    public long StoredBytes => Stored.Sum(t => t.numel() * t.ElementSize);

    /// <summary>The float32 matrix (out, in) the codes stand for.</summary>
    public abstract Tensor Dequantize();

    /// <summary>
    /// The (out, in) matrix in <paramref name="dtype"/> as one tensor the caller owns and disposes. Every temporary is
    /// disposed here, not left to a caller's dispose scope: a training step's scope would otherwise keep one float32
    /// matrix alive per layer until the step ends, which is the memory quantisation exists to save.
    /// </summary>
    public Tensor Dequantize(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var w = Dequantize();
        return (w.dtype == dtype ? w : w.to(dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>Moves the stored tensors to <paramref name="device"/>.</summary>
    public abstract void MoveTo(Device device);

    /// <summary>The stored tensors, for checks that they never change.</summary>
    public abstract IReadOnlyList<Tensor> Stored { get; }

    /// <summary><paramref name="t"/> on <paramref name="device"/>; the old tensor is disposed when a copy was made.</summary>
    private protected static Tensor Move(Tensor t, Device device)
    {
        var moved = t.to(device);
        if (!ReferenceEquals(moved, t)) t.Dispose();
        return moved;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in Stored) t.Dispose();
        GC.SuppressFinalize(this);
    }
}
