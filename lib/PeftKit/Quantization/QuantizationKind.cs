namespace PeftKit.Quantization;

/// <summary>How a frozen base weight is stored.</summary>
public enum QuantizationKind
{
    /// <summary>Vector-wise int8: one absmax per output row (<see cref="Int8Weight"/>), 8 bits + 32/in bits a weight.</summary>
    Int8,

    /// <summary>4-bit NormalFloat, blocks of 64, double-quantised constants (<see cref="Nf4Weight"/>), 4.127 bits a weight.</summary>
    Nf4,
}
