using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// Scores (prompt, response) pairs: prompts [B, P] and responses [B, L] (int64 token ids) give rewards [B] (floating
/// point, on the inputs' device, no gradient needed: float64 for programmatic rewards, the model's dtype for learned
/// ones). Gold (programmatic) rewards and learned reward models both implement it.
/// </summary>
public interface IRewardFunction
{
    /// <summary>A short name for tables and plots.</summary>
    string Name { get; }

    /// <summary>The reward r(x, y) of each row.</summary>
    Tensor Score(Tensor prompts, Tensor responses);
}

/// <summary>A reward that also reports its uncertainty (e.g. a Laplace-approximated reward model).</summary>
public interface IUncertainRewardFunction : IRewardFunction
{
    /// <summary>Predictive mean and standard deviation of the reward of each row, both [B].</summary>
    (Tensor Mean, Tensor Std) ScoreWithUncertainty(Tensor prompts, Tensor responses);
}
