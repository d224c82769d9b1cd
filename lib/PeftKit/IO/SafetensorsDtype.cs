using static TorchSharp.torch;

namespace PeftKit.IO;

/// <summary>The dtype names of the safetensors header and their torch types and sizes.</summary>
internal static class SafetensorsDtype
{
    static readonly (string name, ScalarType type, int size)[] Table =
    [
        ("F64", ScalarType.Float64, 8), ("F32", ScalarType.Float32, 4), ("F16", ScalarType.Float16, 2),
        ("BF16", ScalarType.BFloat16, 2), ("I64", ScalarType.Int64, 8), ("I32", ScalarType.Int32, 4),
        ("I16", ScalarType.Int16, 2), ("I8", ScalarType.Int8, 1), ("U8", ScalarType.Byte, 1), ("BOOL", ScalarType.Bool, 1),
    ];

    public static (ScalarType type, int size) Parse(string name, string tensor)
    {
        foreach (var (n, t, s) in Table) if (n == name) return (t, s);
        throw new SafetensorsException($"Tensor '{tensor}' has dtype '{name}', which this reader does not support (supported: {string.Join(", ", Table.Select(x => x.name))}).");
    }

    public static (string name, int size) Of(ScalarType type)
    {
        foreach (var (n, t, s) in Table) if (t == type) return (n, s);
        throw new SafetensorsException($"Tensors of type {type} cannot be written to safetensors by this writer.");
    }
}
