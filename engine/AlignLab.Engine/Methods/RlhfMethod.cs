using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// RLHF (THEORY.md §3): maximise E_{y~π_θ}[r(y)] − β·KL(π_θ‖p) by RLOO (see <see cref="Rloo"/>) on k policy samples per
/// prompt with return r(y) − β·(log π_θ(y) − log p(y)). Its optimum is the tilt π ∝ p·exp(r/β).
/// The k samples per prompt come from the current policy's <see cref="ISequencePolicy.Sample"/>: on a <see cref="CausalLm"/>
/// that generates through the KV cache (<see cref="SamplingOptions.UseKvCache"/>, the default), each prompt encoded once.
/// </summary>
public sealed class RlhfMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly RlhfConfig config;

    /// <summary>
    /// Trains <paramref name="policy"/> against the reward, regularised towards <paramref name="reference"/>, on the
    /// prompts [P, Lp] (left-padded where <paramref name="promptMask"/> [P, Lp] is 0; null: none padded).
    /// </summary>
    public RlhfMethod(ISequencePolicy policy, ISequencePolicy reference, Tensor prompts, IRewardFunction reward, RlhfConfig config,
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
    public string Name => "rlhf";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var k = config.SamplesPerPrompt;
        var (_, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, config.BatchSize, generator);
        using var samples = OnPolicySamples.Draw(policy, batchPrompts, k, config.Sampling, generator, batchMask);
        var rewards = samples.Rewards(reward).to(ScalarType.Float64);
        var logRatio = samples.LogRatioTo(reference);
        var returns = rewards - config.Beta * logRatio;
        var loss = samples.Loss(returns);
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["reward"] = rewards.mean(),
            ["kl"] = logRatio.mean(),
        });
    }
}
