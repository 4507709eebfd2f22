using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Variational BoN (THEORY.md §5): minimise KL(π_θ ‖ π_n) = KL(π_θ‖p) − E_π[log π_n/p], i.e. KL-regularised RL with
/// reward R(y) = log(π̂_n(y)/p(y))/(n−1) and KL coefficient 1/(n−1). Without ties R = log F̂(r(y)) + log(n)/(n−1) — the
/// paper's reward log F(r) up to a constant; with ties the discrete π_n ratio is used, as THEORY.md prescribes. F̂ is
/// the per-prompt empirical CDF of M base samples drawn once (<see cref="EmpiricalRewardCdf"/>). The gradient is RLOO
/// on the return R(y) − c·(log π_θ(y) − log p(y)) (see <see cref="Rloo"/> for why RLOO rather than PPO-clip).
/// The exact optimum is π_n (<c>AlignLab.Theory.Objectives.ReverseKlObjective</c>). It owns the base rewards of F̂
/// (disposed with it).
/// The k samples per prompt come from the current policy's <see cref="ISequencePolicy.Sample"/>: on a <see cref="CausalLm"/>
/// that generates through the KV cache (<see cref="SamplingOptions.UseKvCache"/>, the default), each prompt encoded once.
/// </summary>
public sealed class VbonMethod : IAlignmentMethod, IDisposable
{
    private readonly ISequencePolicy policy;
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly VbonConfig config;
    private readonly Tensor baseRewards;

    /// <summary>
    /// Draws the M base samples per prompt of <paramref name="prompts"/> [P, Lp] (left-padded where
    /// <paramref name="promptMask"/> [P, Lp] is 0; null: none padded) and prepares training.
    /// </summary>
    public VbonMethod(ISequencePolicy policy, ISequencePolicy reference, Tensor prompts, IRewardFunction reward, VbonConfig config,
        Tensor? promptMask = null)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
        this.reward = reward ?? throw new ArgumentNullException(nameof(reward));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        using var generator = new torch.Generator((ulong)config.CdfSeed, prompts.device);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var batch = reference.Sample(prompts, config.BaseSamples, config.Sampling, generator, promptMask);
        baseRewards = reward.Score(batch.Prompts, batch.Responses, batch.PromptMask).reshape(prompts.shape[0], config.BaseSamples).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public string Name => "vbon";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <inheritdoc />
    public void Dispose() => baseRewards.Dispose();

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var k = config.SamplesPerPrompt;
        var (rows, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, config.BatchSize, generator);
        using var samples = OnPolicySamples.Draw(policy, batchPrompts, k, config.Sampling, generator, batchMask);
        Tensor logRatioBon;
        using (no_grad())
        {
            var rewards = samples.Rewards(reward).reshape(-1, k);
            logRatioBon = EmpiricalRewardCdf.LogBestOfNRatio(baseRewards.index_select(0, rows), rewards, config.N).reshape(-1);
        }
        var logRatioBase = samples.LogRatioTo(reference);
        var returns = logRatioBon / (config.N - 1) - config.EffectiveKlCoefficient * logRatioBase;
        var loss = samples.Loss(returns);
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["return"] = returns.mean(),
            ["kl"] = logRatioBase.mean(),
        });
    }
}
