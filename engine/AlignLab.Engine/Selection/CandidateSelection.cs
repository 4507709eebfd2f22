using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// Picks among n candidates per prompt from their scores [B, n] (rewards, or the regularised / penalised scores of
/// <see cref="RegularizedBestOfN"/> and <see cref="PenalizedReward"/>). Exact ties are broken uniformly at random, as the
/// theory assumes (THEORY.md §1): each candidate gets an independent Uniform(0,1) key from the generator and the choice
/// is lexicographic in (score, key). Everything is vectorised on the scores' device (no per-row host round trips).
/// </summary>
public static class CandidateSelection
{
    /// <summary>Position of the highest score in each row, ties uniformly at random: the best-of-n choice, [B] int64.</summary>
    public static Tensor BestIndices(Tensor scores, Generator generator)
    {
        using var both = BestAndWorstIndices(scores, generator);
        return both.Best.clone();
    }

    /// <summary>Position of the lowest score in each row, ties uniformly at random: the worst-of-n choice, [B] int64.</summary>
    public static Tensor WorstIndices(Tensor scores, Generator generator)
    {
        using var both = BestAndWorstIndices(scores, generator);
        return both.Worst.clone();
    }

    /// <summary>
    /// Best and worst positions of each row from one shared tie-breaking key: best = the tied-maximal candidate with the
    /// largest key, worst = the tied-minimal candidate with the smallest key. Each is uniform within its tie set, and when
    /// every candidate ties (n ≥ 2) they still differ. The exact joint law is <c>AlignLab.Theory.Objectives.BestWorstLaw</c>.
    /// </summary>
    public static BestWorstIndices BestAndWorstIndices(Tensor scores, Generator generator)
    {
        CheckScores(scores);
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        // Float64 keys make an exact tie between two keys (which argmax would resolve by position) negligible (~2^-53).
        var key = rand(scores.shape, ScalarType.Float64, scores.device, generator: generator);
        var isMax = scores == scores.amax(new long[] { 1 }, keepdim: true);
        var isMin = scores == scores.amin(new long[] { 1 }, keepdim: true);
        var best = key.masked_fill(isMax.logical_not(), -1.0).argmax(1);
        var worst = key.masked_fill(isMin.logical_not(), 2.0).argmin(1);
        return new BestWorstIndices(best.MoveToOuterDisposeScope(), worst.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Selects, for each prompt i, row i·n + indices[i] of a prompt-major candidate tensor [B·n, ...] (e.g.
    /// <see cref="AlignLab.Models.Generation.SampleBatch.Responses"/>), giving [B, ...].
    /// </summary>
    public static Tensor Gather(Tensor candidates, Tensor indices, int samplesPerPrompt)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(indices);
        if (samplesPerPrompt < 1) throw new ArgumentException($"samplesPerPrompt must be >= 1 (got {samplesPerPrompt}).", nameof(samplesPerPrompt));
        if (candidates.shape[0] != indices.shape[0] * samplesPerPrompt)
            throw new ArgumentException(
                $"candidates has {candidates.shape[0]} rows but indices ({indices.shape[0]} prompts) x samplesPerPrompt ({samplesPerPrompt}) = {indices.shape[0] * samplesPerPrompt}.",
                nameof(candidates));
        using var scope = NewDisposeScope();
        var rows = arange(indices.shape[0], ScalarType.Int64, indices.device) * samplesPerPrompt + indices;
        return candidates.index_select(0, rows).MoveToOuterDisposeScope();
    }

    internal static void CheckScores(Tensor scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.dim() != 2 || scores.shape[1] < 1)
            throw new ArgumentException($"scores must have shape [B, n] with n >= 1 (got [{string.Join(", ", scores.shape)}]).", nameof(scores));
    }
}
