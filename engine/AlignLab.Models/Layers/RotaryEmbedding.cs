using static TorchSharp.torch;

namespace AlignLab.Models.Layers;

/// <summary>
/// Rotary position embeddings in the half-split convention (GPT-NeoX, Llama): the first <see cref="Dimensions"/> of
/// each head are rotated, x ↦ x·cos(pθ) + rotate_half(x)·sin(pθ) with rotate_half([x₁, x₂]) = [−x₂, x₁] and
/// θ_i = base^(−2i/d) repeated over both halves; the remaining dimensions pass through (GPT-NeoX's partial rotary).
/// Angles are computed in float32 from the position ids, so padded rows rotate by their real positions.
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly float[] _inverseFrequencies;

    /// <summary>Rotation of <paramref name="dimensions"/> (even) dimensions per head with base <paramref name="theta"/>.</summary>
    public RotaryEmbedding(int dimensions, double theta)
    {
        if (dimensions < 2 || dimensions % 2 != 0) throw new ArgumentException($"rotary dimensions must be even and >= 2 (got {dimensions}).", nameof(dimensions));
        Dimensions = dimensions;
        _inverseFrequencies = Enumerable.Range(0, dimensions / 2).Select(i => (float)(1.0 / Math.Pow(theta, (float)(2 * i) / dimensions))).ToArray();
    }

    /// <summary>Number of rotated dimensions per head.</summary>
    public int Dimensions { get; }

    /// <summary>cos and sin [B, 1, T, Dimensions] (float32) for position ids [B, T] (or [1, T]).</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positionIds)
    {
        using var scope = NewDisposeScope();
        var inv = tensor(_inverseFrequencies, device: positionIds.device);
        if (positionIds.dim() == 1) positionIds = positionIds.unsqueeze(0);
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inv; // [B, T, D/2]
        var emb = cat([freqs, freqs], -1).unsqueeze(1);
        return (emb.cos().MoveToOuterDisposeScope(), emb.sin().MoveToOuterDisposeScope());
    }

    /// <summary>Rotates the first <see cref="Dimensions"/> of each head of <paramref name="x"/> [B, H, T, head size].</summary>
    public Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        using var scope = NewDisposeScope();
        long headSize = x.shape[^1];
        var rot = Dimensions == headSize ? x : x.narrow(-1, 0, Dimensions);
        var rotated = (rot * cos.to(x.dtype) + RotateHalf(rot) * sin.to(x.dtype));
        var result = Dimensions == headSize ? rotated : cat([rotated, x.narrow(-1, Dimensions, headSize - Dimensions)], -1);
        return result.MoveToOuterDisposeScope();
    }

    private static Tensor RotateHalf(Tensor x)
    {
        long half = x.shape[^1] / 2;
        return cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
    }
}
