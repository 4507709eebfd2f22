using static TorchSharp.torch;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// The contents of a safetensors file: named CPU <see cref="Tensors"/> and the string <see cref="Metadata"/> of its
/// header's <c>__metadata__</c> entry (empty when absent). Owns its tensors: dispose it when done.
/// </summary>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}
