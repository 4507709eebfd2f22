using static TorchSharp.torch;

namespace AlignLab.Models.HuggingFace;

/// <summary>The safetensors dtype names this project reads and writes, with their torch types and element sizes.</summary>
public static class SafeTensorsDTypes
{
    private static readonly (ScalarType Type, string Name, int Bytes)[] Table =
    [
        (ScalarType.Float64, "F64", 8), (ScalarType.Float32, "F32", 4), (ScalarType.Float16, "F16", 2),
        (ScalarType.BFloat16, "BF16", 2), (ScalarType.Int64, "I64", 8), (ScalarType.Int32, "I32", 4),
        (ScalarType.Int16, "I16", 2), (ScalarType.Int8, "I8", 1), (ScalarType.Byte, "U8", 1), (ScalarType.Bool, "BOOL", 1),
    ];

    /// <summary>The torch type and element size of safetensors dtype <paramref name="name"/> (e.g. "BF16"); false when unknown.</summary>
    public static bool TryParse(string? name, out ScalarType type, out int bytes)
    {
        foreach (var d in Table)
            if (d.Name == name)
            {
                (type, bytes) = (d.Type, d.Bytes);
                return true;
            }
        (type, bytes) = (default, 0);
        return false;
    }

    /// <summary>The safetensors name and element size of <paramref name="type"/>; throws ArgumentException naming <paramref name="tensorName"/> when it cannot be stored.</summary>
    public static (string Name, int Bytes) Of(ScalarType type, string tensorName)
    {
        foreach (var d in Table)
            if (d.Type == type) return (d.Name, d.Bytes);
        throw new ArgumentException($"Tensor '{tensorName}' has dtype {type}, which safetensors cannot store.", nameof(tensorName));
    }
}
