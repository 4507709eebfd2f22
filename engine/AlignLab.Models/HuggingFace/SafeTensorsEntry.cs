using static TorchSharp.torch;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// One tensor's header entry in a safetensors file: its <see cref="DType"/> and <see cref="Shape"/> as stored, and the
/// byte range [<see cref="Begin"/>, <see cref="End"/>) of its data relative to the start of the data section.
/// </summary>
public sealed record SafeTensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    /// <summary>Number of bytes of data, <see cref="End"/> − <see cref="Begin"/>.</summary>
    public long ByteCount => End - Begin;

    /// <summary>Number of elements, the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The shape as "[a, b]" for messages.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
