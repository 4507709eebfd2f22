using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// A distance d(y, y') between responses, used by RBoN_WD (THEORY.md §8), e.g. 1 − cosine similarity of embeddings or
/// the <see cref="HammingDistance"/> between token sequences.
/// </summary>
public interface IResponseDistance
{
    /// <summary>All pairwise distances within each group: candidates [B, n, L] token ids give [B, n, n] (float64, like programmatic rewards).</summary>
    Tensor Pairwise(Tensor candidates);
}
