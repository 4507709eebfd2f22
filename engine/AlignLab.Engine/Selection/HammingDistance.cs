using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// The fraction of positions at which two equal-length token sequences differ, d(y, y') = (1/L)·Σ_t [y_t ≠ y'_t]:
/// a simple, embedding-free <see cref="IResponseDistance"/> for RBoN_WD on fixed-length toy tasks.
/// </summary>
public sealed class HammingDistance : IResponseDistance
{
    /// <inheritdoc />
    public Tensor Pairwise(Tensor candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.dim() != 3)
            throw new ArgumentException($"candidates must have shape [B, n, L] (got [{string.Join(", ", candidates.shape)}]).", nameof(candidates));
        using var scope = NewDisposeScope();
        var differ = candidates.unsqueeze(2) != candidates.unsqueeze(1);
        return differ.to(ScalarType.Float64).mean(new long[] { 3 }).MoveToOuterDisposeScope();
    }
}
