using static TorchSharp.torch;

namespace AlignLab.Models.Generation;

/// <summary>
/// Top-k and nucleus (top-p) filtering of next-token logits, the one implementation every sampler uses
/// (<see cref="AncestralSampler"/>, the engine's <c>TabularPolicy</c>). Filtered-out tokens get −∞.
/// <para><b>Tie rule of top-k</b>: a token is kept when its logit is ≥ the k-th largest logit, so every token tied with
/// the k-th is kept (more than k tokens when there are ties). The result then does not depend on the order of the
/// vocabulary, and equal logits always get equal probabilities (transformers' <c>TopKLogitsWarper</c> does the same).</para>
/// <para><b>Top-p</b>: tokens sorted by decreasing probability are kept while the mass strictly before them is below
/// p, so the most likely token is always kept and the kept set is the smallest whose mass reaches p.</para>
/// </summary>
public static class LogitFilter
{
    /// <summary>
    /// <paramref name="logits"/> [N, V] with top-k (<paramref name="topK"/> 0 = off) and then top-p
    /// (<paramref name="topP"/> 1 = off) filtering applied along the last dimension.
    /// </summary>
    public static Tensor Apply(Tensor logits, int topK, double topP)
    {
        using var scope = NewDisposeScope();
        var z = logits;
        long v = z.shape[^1];
        if (topK > 0 && topK < v)
        {
            var kth = z.topk(topK, dim: -1).values[TensorIndex.Ellipsis, TensorIndex.Slice(-1)];
            z = z.masked_fill(z.lt(kth), double.NegativeInfinity);
        }
        if (topP < 1.0)
        {
            var (sorted, order) = z.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the tokens ranked above it already reach p; the first always stays.
            var drop = (probs.cumsum(-1) - probs).ge(topP);
            z = z.masked_fill(zeros_like(drop).scatter(-1, order, drop), double.NegativeInfinity);
        }
        return (ReferenceEquals(z, logits) ? z.alias() : z).MoveToOuterDisposeScope();
    }
}
