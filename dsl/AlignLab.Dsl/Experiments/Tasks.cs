using AlignLab.Engine.Tasks;

namespace AlignLab.Dsl;

/// <summary>The tasks an <see cref="Experiment"/> can run on.</summary>
public static class Tasks
{
    /// <summary>
    /// The built-in toy language task (<see cref="ToyTask"/>): <paramref name="promptCount"/> prompts, responses of
    /// <paramref name="responseLength"/> symbols from <paramref name="vocabSize"/>, so V^L responses per prompt (default
    /// 6⁵ = 7,776), gold reward = count of symbol 0 (with a tie-breaker unless <paramref name="rewardTies"/>),
    /// off-target attribute = count of symbol 1. <paramref name="seed"/> fixes the prompts and transition scores.
    /// Invalid values are reported by <see cref="Experiment.Validate"/>.
    /// </summary>
    public static TaskSpec ToyLanguage(int seed = 0, int vocabSize = 6, int responseLength = 5, int promptCount = 32, bool rewardTies = false) =>
        new(new ToyTaskConfig(VocabSize: vocabSize, ResponseLength: responseLength, PromptCount: promptCount, ProcessSeed: seed, RewardTies: rewardTies));

    /// <summary>The toy task for a full <paramref name="config"/>.</summary>
    public static TaskSpec Toy(ToyTaskConfig config) => new(config ?? throw new ArgumentNullException(nameof(config)));
}
