using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using AlignLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// SFT-BoN (THEORY.md §4, the SFT term of BoNBoN): each step draws prompts, n reference samples per prompt, keeps the
/// best under the reward (ties uniformly at random) and minimises L(θ) = −(1/B)·Σ_b log π_θ(y_best,b | x_b), whose
/// infinite-data optimum is π_n exactly (<c>AlignLab.Theory.Objectives.SftOnBestObjective</c>). Offline, from best
/// samples drawn once (an <c>alignlab bon build</c> file), SFT-BoN is <see cref="SftMethod"/> on the best responses.
/// </summary>
public sealed class SftBonMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly SftBonConfig config;

    /// <summary>
    /// Trains <paramref name="policy"/> on best-of-n samples of <paramref name="reference"/> for the prompts [P, Lp],
    /// left-padded where <paramref name="promptMask"/> [P, Lp] is 0 (null: none padded).
    /// </summary>
    public SftBonMethod(ISequencePolicy policy, ISequencePolicy reference, Tensor prompts, IRewardFunction reward, SftBonConfig config,
        Tensor? promptMask = null)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
        this.reward = reward ?? throw new ArgumentNullException(nameof(reward));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
    }

    /// <inheritdoc />
    public string Name => "sft-bon";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var (_, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, config.BatchSize, generator);
        var best = BestWorstPairSource.DrawBest(reference, batchPrompts, config.N, reward, config.Sampling, generator, batchMask);
        var loss = -policy.SequenceLogProbs(batchPrompts, best, batchMask).mean();
        return new MethodOutput(loss, new Dictionary<string, Tensor> { ["nll"] = loss.detach() });
    }
}
