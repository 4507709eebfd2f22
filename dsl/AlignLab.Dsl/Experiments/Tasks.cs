using AlignLab.Engine.Datasets;
using AlignLab.Engine.Tasks;
using AlignLab.Models.HuggingFace;

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

    /// <summary>
    /// A task on real models (<see cref="RealTaskSpec"/>, whose parameters these are): the policy folder
    /// <paramref name="policy"/>, the reward-model folder <paramref name="reward"/> — or null and a text reward
    /// <paramref name="rewardFunction"/>(prompt, response) named <paramref name="rewardName"/> — and the prompt file
    /// <paramref name="prompts"/>. A folder may be a Hugging Face id <c>org/name[@revision]</c> in the local hub cache
    /// (<see cref="HubCache"/>), taken here as its snapshot folder. Folders and files are checked by
    /// <see cref="Experiment.Validate"/>, not here (an id not in the cache is reported there).
    /// <code>
    /// Tasks.Real("models/gpt2", "models/gpt2-rm", "data/imdb_prompts.jsonl", maxResponseTokens: 48, evalPrompts: 128)
    /// Tasks.Real("models/gpt2", null, "data/prompts.jsonl", rewardFunction: (x, y) =&gt; y.Split(' ').Length, rewardName: "words")
    /// Tasks.Real("models/qwen2.5-0.5b-instruct", "models/rm", "data/hh_prompts.jsonl", chatTemplate: "auto")
    /// </code>
    /// </summary>
    public static RealTaskSpec Real(string policy, string? reward, string prompts, string promptField = "prompt", int maxPromptTokens = 256,
        int maxResponseTokens = 64, double temperature = 1.0, double topP = 1.0, int trainPrompts = 0, int evalPrompts = 64,
        int evalSamplesPerPrompt = 4, long splitSeed = 0, BadRows onBadRow = BadRows.Stop, int batchSize = 16,
        Func<string, string, double>? rewardFunction = null, string? rewardName = null, string chatTemplate = "none") =>
        new(Cached(policy), reward is null ? null : Cached(reward), prompts, promptField, maxPromptTokens, maxResponseTokens, temperature, topP, trainPrompts, evalPrompts,
            evalSamplesPerPrompt, splitSeed, onBadRow, batchSize, ChatTemplate: chatTemplate)
        {
            RewardFunction = rewardFunction,
            RewardName = rewardFunction is null ? null : rewardName ?? "script reward",
        };

    // A folder or cached id as its folder; anything else as given, for Validate to report.
    private static string Cached(string folderOrId) => HubCache.TryResolve(folderOrId, out var folder) ? folder : folderOrId;
}
