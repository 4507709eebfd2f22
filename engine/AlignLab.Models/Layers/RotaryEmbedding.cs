using static TorchSharp.torch;

namespace AlignLab.Models.Layers;

/// <summary>
/// Rotary position embeddings in the half-split convention (GPT-NeoX, Llama): the first <see cref="Dimensions"/> of
/// each head are rotated, x ↦ x·cos(pω) + rotate_half(x)·sin(pω) with rotate_half([x₁, x₂]) = [−x₂, x₁] and the
/// angular frequencies ω_i of the model's <see cref="RopeParameters"/> (θ^(−2i/d), scaled by its rope type) repeated
/// over both halves; the remaining dimensions pass through (GPT-NeoX's partial rotary). cos and sin carry yarn's
/// attention factor. Angles are computed in float32 from the position ids, so padded rows rotate by their real
/// positions; under dynamic NTK scaling the frequencies follow the call's longest position, as transformers'
/// dynamic_rope_update recomputes them (so there a row's angles depend on the longest row of its batch, and keys a
/// KV cache holds keep the angles they were computed with).
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly float[] _inverseFrequencies;
    private readonly RopeParameters _rope;
    private readonly float _scaling;

    /// <summary>Rotation of <paramref name="dimensions"/> (even) dimensions per head in the form <paramref name="rope"/> gives.</summary>
    public RotaryEmbedding(int dimensions, RopeParameters rope)
    {
        if (dimensions < 2 || dimensions % 2 != 0) throw new ArgumentException($"rotary dimensions must be even and >= 2 (got {dimensions}).", nameof(dimensions));
        ArgumentNullException.ThrowIfNull(rope);
        Dimensions = dimensions;
        _rope = rope.Validate();
        _inverseFrequencies = rope.InverseFrequencies(dimensions);
        _scaling = (float)rope.AttentionScaling;
    }

    /// <summary>Number of rotated dimensions per head.</summary>
    public int Dimensions { get; }

    /// <summary>cos and sin [B, 1, T, Dimensions] (float32) for position ids [B, T] (or [T]).</summary>
    public (Tensor Cos, Tensor Sin) Angles(Tensor positionIds)
    {
        using var scope = NewDisposeScope();
        var frequencies = _inverseFrequencies;
        // Dynamic NTK: the longest position of the call decides the base (a device sync, for this rope type only).
        if (_rope.IsDynamic) frequencies = _rope.InverseFrequencies(Dimensions, positionIds.max().item<long>() + 1);
        var inv = tensor(frequencies, device: positionIds.device);
        if (positionIds.dim() == 1) positionIds = positionIds.unsqueeze(0);
        var freqs = positionIds.to(ScalarType.Float32).unsqueeze(-1) * inv; // [B, T, D/2]
        var emb = cat([freqs, freqs], -1).unsqueeze(1);
        var (cos, sin) = (emb.cos(), emb.sin());
        if (_scaling != 1) (cos, sin) = (cos * _scaling, sin * _scaling);
        return (cos.MoveToOuterDisposeScope(), sin.MoveToOuterDisposeScope());
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
