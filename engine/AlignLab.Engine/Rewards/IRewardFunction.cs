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

    /// <summary>
    /// The reward of each row of left-padded <paramref name="prompts"/> [B, P] with <paramref name="promptMask"/> [B, P]
    /// (true = token, false = padding; null = none). This default is <see cref="Score(Tensor, Tensor)"/> when the mask is
    /// null or all true, and otherwise a <see cref="NotSupportedException"/> naming the reward: a reward that reads
    /// padded prompts implements it.
    /// </summary>
    Tensor Score(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        if (promptMask is null || promptMask.all().item<bool>()) return Score(prompts, responses);
        throw new NotSupportedException($"The reward '{Name}' does not support padded prompts: it scores only unpadded (prompt, response) pairs.");
    }
}

/// <summary>A reward that also reports its uncertainty (e.g. a Laplace-approximated reward model).</summary>
public interface IUncertainRewardFunction : IRewardFunction
{
    /// <summary>Predictive mean and standard deviation of the reward of each row, both [B].</summary>
    (Tensor Mean, Tensor Std) ScoreWithUncertainty(Tensor prompts, Tensor responses);
}
