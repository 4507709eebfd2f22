using AlignLab.Engine.Rewards;
using AlignLab.Engine.Selection;
using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// The uncertainty-penalised reward r̃ = r* − k·σ (or r* − k·σ²) of a Bayesian reward model as an ordinary
/// <see cref="IRewardFunction"/>, so best-of-n and every other reward consumer can use it (THEORY.md §7; the
/// arithmetic is <see cref="PenalizedReward"/>'s).
/// </summary>
public sealed class PenalizedRewardFunction : IRewardFunction
{
    /// <summary>Wraps <paramref name="reward"/> with penalty weight <paramref name="k"/> ≥ 0 on the std or the variance.</summary>
    public PenalizedRewardFunction(IUncertainRewardFunction reward, double k, UncertaintyPenalty penalty = UncertaintyPenalty.StandardDeviation)
    {
        ArgumentNullException.ThrowIfNull(reward);
        if (!(k >= 0) || double.IsInfinity(k)) throw new ArgumentException($"k must be >= 0 and finite (got {k}).", nameof(k));
        if (!Enum.IsDefined(penalty)) throw new ArgumentException($"Unknown penalty {penalty}.", nameof(penalty));
        Reward = reward;
        K = k;
        Penalty = penalty;
        Name = $"{reward.Name}-{(penalty == UncertaintyPenalty.StandardDeviation ? "std" : "var")}x{k:g4}";
    }

    /// <summary>The uncertain reward being penalised.</summary>
    public IUncertainRewardFunction Reward { get; }

    /// <summary>The penalty weight k.</summary>
    public double K { get; }

    /// <summary>Whether the std or the variance is penalised.</summary>
    public UncertaintyPenalty Penalty { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public Tensor Score(Tensor prompts, Tensor responses) => PenalizedReward.Score(Reward, prompts, responses, K, Penalty);
}
