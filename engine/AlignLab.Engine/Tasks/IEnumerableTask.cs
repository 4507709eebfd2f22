using AlignLab.Engine.Rewards;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// A task small enough to list every response: a fixed prompt set and a finite response set shared by all prompts,
/// so that a policy's exact distribution, KL and win rate are finite sums (THEORY.md §9).
/// </summary>
public interface IEnumerableTask
{
    /// <summary>The prompts, [K, P] int64.</summary>
    Tensor Prompts { get; }

    /// <summary>Every response, [N, L] int64, in a fixed order (outcome i of every per-prompt distribution).</summary>
    Tensor AllResponses { get; }

    /// <summary>The gold reward that defines "better".</summary>
    IRewardFunction GoldReward { get; }
}
