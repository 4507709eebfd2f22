using System.Text.Json.Serialization;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Runtime;

namespace AlignLab.Dsl;

/// <summary>
/// A task on real models an <see cref="Experiment"/> runs on (<see cref="Experiment.On(RealTaskSpec)"/>; built with
/// <see cref="Tasks.Real"/>):
/// a policy folder (a Hugging Face causal LM with its tokenizer, also the frozen reference π_ref), a reward — a
/// <c>*ForSequenceClassification</c> folder or a text function from the script — and a prompt file (JSONL or Parquet).
/// The good prompts are shuffled once with <see cref="SplitSeed"/>; the first <see cref="EvalPrompts"/> are held out for
/// evaluation and the next <see cref="TrainPrompts"/> (0: all the others) are the training prompts, so every row of every
/// run with this spec sees the same split. Evaluation is Monte-Carlo (<see cref="EvalSamplesPerPrompt"/> samples per
/// prompt, standard errors over prompts). Nothing is read until the experiment validates or runs.
/// </summary>
/// <param name="Policy">The policy (and reference) model folder.</param>
/// <param name="Reward">The reward-model folder; null when <see cref="RewardFunction"/> scores instead.</param>
/// <param name="Prompts">The prompt file (JSONL or <c>.parquet</c>).</param>
/// <param name="PromptField">The field holding each prompt (default <c>prompt</c>).</param>
/// <param name="MaxPromptTokens">Longest prompt in policy tokens (default 256); longer ones are bad rows.</param>
/// <param name="MaxResponseTokens">Most tokens per sampled response (default 64); a response stops earlier at the policy's EOS.</param>
/// <param name="Temperature">Sampling temperature of every draw (training, best-of-n data, evaluation; default 1: the policy itself).</param>
/// <param name="TopP">Nucleus sampling mass of every draw (default 1: no filtering).</param>
/// <param name="TrainPrompts">Training prompts (default 0: every prompt not held out).</param>
/// <param name="EvalPrompts">Held-out evaluation prompts (default 64).</param>
/// <param name="EvalSamplesPerPrompt">Policy (and reference) samples per evaluation prompt (default 4).</param>
/// <param name="SplitSeed">Seed of the train/evaluation split (default 0).</param>
/// <param name="OnBadRow">Stop at a bad prompt row (default) or skip it and count it.</param>
/// <param name="BatchSize">Rows per forward pass of evaluation and of the reward model (default 16).</param>
/// <param name="BestOfN">
/// An offline best-of-n file of <c>alignlab bon build</c> (or <see cref="BuildBestOfN"/>): the pair methods
/// (BoNBoN, IPO-BoN, DPO, IPO) and SFT-BoN train on its best/worst samples instead of sampling fresh ones; records of
/// held-out evaluation prompts are left out. Null (default): online pairs from the reference.
/// </param>
/// <param name="ChatTemplate">
/// How prompts become the policy's input: <c>none</c> (default: the text as it is), <c>auto</c> (the policy folder's chat
/// template, for instruct models: each prompt one user turn) or a template file (a text with a <c>{prompt}</c>
/// placeholder, or a Jinja template of a family AlignLab renders); see <c>ChatTemplate.FromOption</c>. Training,
/// best-of-n data and evaluation all see the rendered prompts.
/// </param>
public sealed record RealTaskSpec(
    string Policy,
    string? Reward,
    string Prompts,
    string PromptField = "prompt",
    int MaxPromptTokens = 256,
    int MaxResponseTokens = 64,
    double Temperature = 1.0,
    double TopP = 1.0,
    int TrainPrompts = 0,
    int EvalPrompts = 64,
    int EvalSamplesPerPrompt = 4,
    long SplitSeed = 0,
    BadRows OnBadRow = BadRows.Stop,
    int BatchSize = 16,
    string? BestOfN = null,
    string ChatTemplate = "none")
{
    /// <summary>
    /// A programmatic reward r(prompt text, response text) given by the script instead of a <see cref="Reward"/> folder
    /// (responses decoded with the policy's tokenizer, cut at its EOS). Not part of the saved configuration: its
    /// <see cref="RewardName"/> is, so a resume with another function must also rename it to be noticed.
    /// </summary>
    [JsonIgnore]
    public Func<string, string, double>? RewardFunction { get; init; }

    /// <summary>The name of <see cref="RewardFunction"/> in tables and the saved configuration (null with a reward folder).</summary>
    public string? RewardName { get; init; }

    /// <summary>A short name for tables and logs, e.g. <c>real(policy=gpt2, reward=gpt2-rm, prompts=imdb.jsonl)</c>.</summary>
    public string Name => $"real(policy={Leaf(Policy)}, reward={(Reward is null ? RewardName : Leaf(Reward))}, prompts={Leaf(Prompts)})";

    /// <summary>This task training the pair methods and SFT-BoN offline on the best-of-n file <paramref name="path"/> (see <see cref="BestOfN"/>).</summary>
    public RealTaskSpec WithBestOfN(string path) =>
        string.IsNullOrWhiteSpace(path) ? throw new ArgumentException($"path must be a best-of-n file (got '{path}').", nameof(path)) : this with { BestOfN = path };

    /// <summary>This task with <paramref name="prompts"/> training prompts (0: every prompt not held out).</summary>
    public RealTaskSpec WithTrainPrompts(int prompts) => this with { TrainPrompts = prompts };

    /// <summary>This task evaluating on <paramref name="prompts"/> held-out prompts with <paramref name="samplesPerPrompt"/> samples each.</summary>
    public RealTaskSpec WithEvaluation(int prompts, int samplesPerPrompt) => this with { EvalPrompts = prompts, EvalSamplesPerPrompt = samplesPerPrompt };

    /// <summary>
    /// Builds the best-of-n data of this task's training prompts into <paramref name="path"/> (JSONL,
    /// <see cref="BestOfNFile"/>) — what <c>alignlab bon build</c> does for a whole prompt file — and returns its full
    /// path, for <see cref="WithBestOfN"/>: per prompt, <paramref name="n"/> samples of the policy drawn as the task says
    /// (<see cref="MaxResponseTokens"/>, <see cref="Temperature"/>, <see cref="TopP"/>) from <paramref name="seed"/>,
    /// scored by the task's reward, best and worst marked. Resumable: a file an interrupted build left is continued after
    /// its last whole record, and one built with other settings is refused (settings kept in <c>PATH.settings.json</c>).
    /// Held-out evaluation prompts are never sampled. <paramref name="log"/> receives a progress line every tenth of the prompts.
    /// </summary>
    public string BuildBestOfN(string path, int n = 8, long seed = 0, string? device = null, Action<string>? log = null) =>
        RealTaskData.BuildBestOfN(this, path, n, seed, device, log);

    /// <summary>
    /// The training and held-out evaluation prompts of this task, as a run splits them (the good rows of
    /// <see cref="Prompts"/>, each with its line), read now; throws the readers' errors for a bad folder or file.
    /// </summary>
    public PromptSplit SplitPrompts()
    {
        using var context = ComputeContext.Create(new ComputeOptions(Device: "cpu"));
        using var data = RealTaskData.Open(this, context);
        return new PromptSplit(data.TrainRows, data.EvalRows);
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string Leaf(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(path)) is { Length: > 0 } leaf ? leaf : path;
}
