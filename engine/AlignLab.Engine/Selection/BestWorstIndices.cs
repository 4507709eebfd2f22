using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// The positions [B] (int64, in 0..n−1) of the best and of the worst of n candidates per prompt, chosen with one shared
/// random tie-breaking key, so that for n ≥ 2 they are always two different candidates (a BoNBoN pair, THEORY.md §4).
/// </summary>
public sealed record BestWorstIndices(Tensor Best, Tensor Worst) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Best.Dispose();
        Worst.Dispose();
    }
}
