using static TorchSharp.torch;

namespace AlignLab.Engine.Rewards;

/// <summary>
/// Scores (prompt, response) pairs: prompts [B, P] and responses [B, L] (int64 token ids) give rewards [B] (floating
/// point, on the inputs' device, no gradient needed: float64 for programmatic rewards, the model's dtype for learned
/// ones). Gold (programmatic) rewards and learned reward models both implement it.
/// <para>Variable-length prompts are left-padded with a mask [B, P] (true or 1 = real token), the convention of
/// <see cref="AlignLab.Models.ISequencePolicy"/>; responses are right-padded after the end token, whose later tokens do not
/// count. Every method passes its mask to <see cref="Score(Tensor, Tensor, Tensor?)"/>; a reward that cannot see the
/// mask refuses padded prompts rather than score the padding as text.</para>
/// </summary>
public interface IRewardFunction
{
    /// <summary>A short name for tables and plots.</summary>
    string Name { get; }

    /// <summary>The reward r(x, y) of each row; every prompt column is a real token.</summary>
    Tensor Score(Tensor prompts, Tensor responses);

    /// <summary>
    /// The reward r(x, y) of each row of left-padded <paramref name="prompts"/>, <paramref name="promptMask"/> [B, P]
    /// marking real tokens (null: none padded). By default <see cref="Score(Tensor, Tensor)"/> when nothing is padded,
    /// and a <see cref="NotSupportedException"/> naming the reward otherwise; rewards that read prompts implement it.
    /// </summary>
    Tensor Score(Tensor prompts, Tensor responses, Tensor? promptMask)
    {
        PromptMasks.ThrowIfPadded(promptMask, Name);
        return Score(prompts, responses);
    }
}

/// <summary>A reward that also reports its uncertainty (e.g. a Laplace-approximated reward model).</summary>
public interface IUncertainRewardFunction : IRewardFunction
{
    /// <summary>Predictive mean and standard deviation of the reward of each row, both [B].</summary>
    (Tensor Mean, Tensor Std) ScoreWithUncertainty(Tensor prompts, Tensor responses);
}
