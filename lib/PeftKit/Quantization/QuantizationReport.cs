namespace PeftKit.Quantization;

/// <summary>What <see cref="BaseQuantizer.Quantize"/> replaced.</summary>
/// <param name="Kind">The storage used.</param>
/// <param name="Layers">Weight matrices quantised (the paths of the replaced layers).</param>
/// <param name="Float32Bytes">Bytes those matrices took in float32 (4 per weight).</param>
/// <param name="StoredBytes">Bytes their codes and scales take now.</param>
public sealed record QuantizationReport(QuantizationKind Kind, IReadOnlyList<string> Layers, long Float32Bytes, long StoredBytes)
{
    /// <summary>StoredBytes / Float32Bytes.</summary>
    public double Ratio => Float32Bytes == 0 ? double.NaN : StoredBytes / (double)Float32Bytes;

    /// <summary>Stored bits per weight: 32 · <see cref="Ratio"/>.</summary>
    public double BitsPerWeight => 32 * Ratio;
}
