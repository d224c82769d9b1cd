using static TorchSharp.torch;

namespace PeftKit.IO;

/// <summary>One tensor's header entry: name, dtype, shape and byte range within the data section.</summary>
/// <param name="Name">The tensor's key.</param>
/// <param name="DType">The header dtype name, e.g. "F32", "BF16".</param>
/// <param name="Type">The matching torch type.</param>
/// <param name="Shape">The shape ([] for a scalar).</param>
/// <param name="Begin">First byte, relative to the start of the data section.</param>
/// <param name="End">One past the last byte.</param>
public sealed record SafetensorsEntry(string Name, string DType, ScalarType Type, long[] Shape, long Begin, long End);
