using AlignLab.Engine.Rewards;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// BOND / J-BOND (THEORY.md §6): minimise J_β(π) = (1−β)·KL(π_n‖π) + β·KL(π‖π_n), π_n the best-of-n of the anchor a.
/// Per step: the forward part is SFT on the best of n anchor samples, L_f = −mean log π_θ(y_best); the backward part is
/// RLOO (see <see cref="Rloo"/>) on k policy samples with return log π̂_n(y)/a(y) − log π_θ(y)/a(y) − γ·log π_θ(y)/p(y),
/// where log π̂_n/a comes from the empirical CDF of M fresh anchor samples (<see cref="EmpiricalRewardCdf"/>). The loss
/// is (1−β)·L_f + β·L_b. With <see cref="BondConfig.AnchorDecay"/> η &gt; 0 the anchor is an exponential moving average of
/// the policy's weights, updated before each step, so that t rounds distil BoN_{nᵗ} of the base (THEORY.md §1
/// composition); the anchor is part of the checkpointed <see cref="State"/>. With η = 0 the anchor stays the base and the
/// exact optimum is π_n (<c>AlignLab.Theory.Objectives.BondObjective</c>).
/// The backward part's k samples per prompt come from the current policy's <see cref="ISequencePolicy.Sample"/>: on a <see cref="CausalLm"/>
/// that generates through the KV cache (<see cref="SamplingOptions.UseKvCache"/>, the default), each prompt encoded once.
/// </summary>
public sealed class BondMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly ISequencePolicy anchor;
    private readonly ISequencePolicy reference;
    private readonly Tensor prompts;
    private readonly Tensor? promptMask;
    private readonly IRewardFunction reward;
    private readonly BondConfig config;
    private readonly IReadOnlyList<(Tensor Anchor, Tensor Policy)> emaPairs;

    /// <summary>
    /// Trains <paramref name="policy"/>. <paramref name="anchor"/> is a separate instance of the same architecture holding
    /// the base weights (it is updated in place when η &gt; 0); <paramref name="reference"/> is the fixed base for the
    /// optional KL regulariser. The prompts [P, Lp] are left-padded where <paramref name="promptMask"/> [P, Lp] is 0 (null:
    /// none padded).
    /// </summary>
    public BondMethod(ISequencePolicy policy, ISequencePolicy anchor, ISequencePolicy reference, Tensor prompts, IRewardFunction reward, BondConfig config,
        Tensor? promptMask = null)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.anchor = anchor ?? throw new ArgumentNullException(nameof(anchor));
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        this.prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        PromptDraw.CheckMask(prompts, promptMask);
        this.promptMask = promptMask;
        this.reward = reward ?? throw new ArgumentNullException(nameof(reward));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        if (ReferenceEquals(policy.Module, anchor.Module)) throw new ArgumentException("anchor must be a separate module from policy.", nameof(anchor));
        var anchorParameters = anchor.Module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        emaPairs = policy.Module.named_parameters()
            .Select(p => anchorParameters.TryGetValue(p.name, out var a) && a.shape.SequenceEqual(p.parameter.shape)
                ? (a, (Tensor)p.parameter)
                : throw new ArgumentException($"anchor has no parameter '{p.name}' of shape [{string.Join(", ", p.parameter.shape)}].", nameof(anchor)))
            .ToList();
        foreach (var (a, _) in emaPairs) a.requires_grad_(false);
    }

    /// <inheritdoc />
    public string Name => config.AnchorDecay > 0 ? "j-bond" : "bond";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State =>
        anchor.Module.named_parameters().ToDictionary(p => "anchor." + p.name, p => (Tensor)p.parameter);

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        if (config.AnchorDecay > 0)
        {
            using var noGrad = no_grad();
            foreach (var (a, p) in emaPairs) a.lerp_(p, config.AnchorDecay);
        }
        var (_, batchPrompts, batchMask) = PromptDraw.Next(prompts, promptMask, config.BatchSize, generator);

        var best = BestWorstPairSource.DrawBest(anchor, batchPrompts, config.N, reward, config.Sampling, generator, batchMask);
        var forward = -policy.SequenceLogProbs(batchPrompts, best, batchMask).mean();

        var k = config.SamplesPerPrompt;
        using var samples = OnPolicySamples.Draw(policy, batchPrompts, k, config.Sampling, generator, batchMask);
        Tensor returns, logRatioAnchor;
        using (no_grad())
        {
            using var anchorBatch = anchor.Sample(batchPrompts, config.AnchorSamples, config.Sampling, generator, batchMask);
            var anchorRewards = reward.Score(anchorBatch.Prompts, anchorBatch.Responses, anchorBatch.PromptMask).reshape(-1, config.AnchorSamples);
            var rewards = samples.Rewards(reward).reshape(-1, k);
            var logRatioBon = EmpiricalRewardCdf.LogBestOfNRatio(anchorRewards, rewards, config.N).reshape(-1);
            logRatioAnchor = samples.LogRatioTo(anchor);
            returns = logRatioBon - logRatioAnchor;
            if (config.KlRegularization > 0)
                returns = returns - config.KlRegularization * samples.LogRatioTo(reference);
        }
        var backward = samples.Loss(returns);
        var loss = (1 - config.JeffreysBeta) * forward + config.JeffreysBeta * backward;
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["forward_nll"] = forward.detach(),
            ["return"] = returns.mean(),
            ["kl_anchor"] = logRatioAnchor.mean(),
        });
    }
}
