using AlignLab.Engine.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Engine.Selection;

/// <summary>
/// Uncertainty-penalised reward for best-of-n with a Bayesian reward model (Yang et al. 2024; THEORY.md §7):
/// r̃ = r* − k·σ or r̃ = r* − k·σ², which keeps BoN from exploiting responses the reward model is unsure about.
/// </summary>
public static class PenalizedReward
{
    /// <summary>The penalised reward of each row [B], from the predictive mean and std of <paramref name="reward"/>.</summary>
    /// <param name="reward">A reward model that reports its uncertainty.</param>
    /// <param name="prompts">Prompts [B, P].</param>
    /// <param name="responses">Responses [B, L].</param>
    /// <param name="k">Penalty weight k ≥ 0.</param>
    /// <param name="penalty">Penalise the standard deviation or the variance.</param>
    public static Tensor Score(IUncertainRewardFunction reward, Tensor prompts, Tensor responses, double k, UncertaintyPenalty penalty)
    {
        ArgumentNullException.ThrowIfNull(reward);
        var (mean, std) = reward.ScoreWithUncertainty(prompts, responses);
        using (mean)
        using (std)
            return Apply(mean, std, k, penalty);
    }

    /// <summary>r̃ = mean − k·std (or − k·std²) elementwise, for precomputed predictive mean and std of the same shape.</summary>
    public static Tensor Apply(Tensor mean, Tensor std, double k, UncertaintyPenalty penalty)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (!mean.shape.SequenceEqual(std.shape))
            throw new ArgumentException($"std has shape [{string.Join(", ", std.shape)}] but mean has [{string.Join(", ", mean.shape)}].", nameof(std));
        if (!(k >= 0) || double.IsInfinity(k)) throw new ArgumentException($"k must be >= 0 and finite (got {k}).", nameof(k));
        return penalty switch
        {
            UncertaintyPenalty.StandardDeviation => mean - k * std,
            UncertaintyPenalty.Variance => mean - k * std.square(),
            _ => throw new ArgumentException($"Unknown penalty {penalty}.", nameof(penalty)),
        };
    }
}
