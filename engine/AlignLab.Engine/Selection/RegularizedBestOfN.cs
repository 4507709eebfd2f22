using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// Regularised best-of-n scores (Jinnai et al. 2024; THEORY.md §8). Feed the scores [B, n] to
/// <see cref="CandidateSelection.BestIndices"/> to pick among the n samples.
/// </summary>
public static class RegularizedBestOfN
{
    /// <summary>RBoN_KL: s_i = r(y_i) + β·log p(y_i) (a point mass on y_i has KL −log p(y_i) to the base).</summary>
    /// <param name="rewards">Rewards [B, n].</param>
    /// <param name="baseLogProbs">Base log-probabilities log p(y_i) [B, n].</param>
    /// <param name="beta">Regularisation strength β ≥ 0.</param>
    public static Tensor KlScores(Tensor rewards, Tensor baseLogProbs, double beta)
    {
        CandidateSelection.CheckScores(rewards);
        ArgumentNullException.ThrowIfNull(baseLogProbs);
        if (!rewards.shape.SequenceEqual(baseLogProbs.shape))
            throw new ArgumentException(
                $"baseLogProbs has shape [{string.Join(", ", baseLogProbs.shape)}] but rewards has [{string.Join(", ", rewards.shape)}].", nameof(baseLogProbs));
        CheckBeta(beta);
        return rewards + beta * baseLogProbs;
    }

    /// <summary>
    /// RBoN_WD: s_i = r(y_i) − β·(1/n)·Σ_j d(y_i, y_j), which favours candidates close to the others (a Wasserstein /
    /// minimum-Bayes-risk proximity term).
    /// </summary>
    /// <param name="rewards">Rewards [B, n].</param>
    /// <param name="candidates">The candidates' tokens [B, n, L].</param>
    /// <param name="distance">The distance d between responses.</param>
    /// <param name="beta">Regularisation strength β ≥ 0.</param>
    public static Tensor WassersteinScores(Tensor rewards, Tensor candidates, IResponseDistance distance, double beta)
    {
        CandidateSelection.CheckScores(rewards);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(distance);
        if (candidates.dim() != 3 || candidates.shape[0] != rewards.shape[0] || candidates.shape[1] != rewards.shape[1])
            throw new ArgumentException(
                $"candidates must have shape [{rewards.shape[0]}, {rewards.shape[1]}, L] to match rewards (got [{string.Join(", ", candidates.shape)}]).", nameof(candidates));
        CheckBeta(beta);
        using var scope = NewDisposeScope();
        var meanDistance = distance.Pairwise(candidates).mean(new long[] { 2 });
        return (rewards - beta * meanDistance.to(rewards.dtype)).MoveToOuterDisposeScope();
    }

    private static void CheckBeta(double beta)
    {
        if (!(beta >= 0) || double.IsInfinity(beta)) throw new ArgumentException($"beta must be >= 0 and finite (got {beta}).", nameof(beta));
    }
}
