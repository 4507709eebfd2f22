using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Theory.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// BoNBoN (THEORY.md §4) on (best, worst) pairs of n reference samples, in the form <see cref="BonBonConfig.Variant"/>:
/// L(θ) = α·(1/B)·Σ_b −s_θ(y_best,b) + (1 − α)·(1/B)·Σ_b D(h_θ,b), where s is the sequence log-probability (summed over
/// tokens, or divided by the response length for the Mean forms), h_θ = [s_θ(y_b) − s_ref(y_b)] − [s_θ(y_w) − s_ref(y_w)]
/// and D(h) = (h − 1/(2β))² (squared forms, the paper's) or −log σ(β·h) (logistic forms, the authors' code).
/// Pairs come fresh from <see cref="BestWorstPairSource"/> or from a fixed best/worst dataset
/// (<see cref="DatasetPairSource"/>). The exact optimum of each form is <c>AlignLab.Theory.Objectives.BonBonObjective</c>'s.
/// </summary>
public sealed class BonBonMethod : IAlignmentMethod, IDisposable
{
    private readonly ISequencePolicy policy;
    private readonly IPreferencePairSource pairs;
    private readonly BonBonConfig config;

    // α in use, [1] float64 on the CPU: the config's, or NaN until the equal-terms rule has been applied to the first
    // batch. A tensor so that a checkpoint holds it and a resumed run keeps the α of its first batch.
    private readonly Tensor alpha;

    /// <summary>Trains <paramref name="policy"/> on best/worst pairs from <paramref name="bestWorstPairs"/>.</summary>
    public BonBonMethod(ISequencePolicy policy, IPreferencePairSource bestWorstPairs, BonBonConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        pairs = bestWorstPairs ?? throw new ArgumentNullException(nameof(bestWorstPairs));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        alpha = full(1, config.Alpha ?? double.NaN, ScalarType.Float64);
    }

    /// <summary>The SFT weight α in use: the config's, the rule's once the first batch has been seen, NaN before.</summary>
    public double Alpha => alpha.item<double>();

    /// <inheritdoc />
    public string Name => "bonbon";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>(pairs.State) { ["alpha"] = alpha };

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <summary>
    /// The BoNBoN loss α·mean(−s(y_best)) + (1−α)·mean(D(h)) from the best responses' sequence log-probs s [B] and the
    /// gaps h [B] (both already reduced as <paramref name="variant"/> says), D the variant's preference term at β.
    /// </summary>
    public static Tensor Loss(Tensor bestLogProbs, Tensor logRatioGap, double alpha, BonBonVariant variant, double beta)
    {
        var preference = variant.IsLogistic()
            ? -nn.functional.logsigmoid(beta * logRatioGap)
            : (logRatioGap - 1 / (2 * beta)).square();
        return alpha * -bestLogProbs.mean() + (1 - alpha) * preference.mean();
    }

    /// <summary>
    /// The authors' α rule on one batch of pairs (issue 12 item 3): the α at which the SFT and preference terms are equal
    /// at the reference, <see cref="BonBonVariants.EqualTermsAlpha"/> with S the batch mean of −s_ref(y_best) (reduced as
    /// <paramref name="config"/>'s variant says).
    /// </summary>
    public static double EqualTermsAlpha(PreferenceBatch batch, BonBonConfig config)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(config);
        using var scope = NewDisposeScope();
        var best = Reduce(batch.ChosenReferenceLogProbs, batch.Chosen, config);
        return config.Variant.EqualTermsAlpha(-best.mean().to(ScalarType.Float64).item<double>(), config.EffectiveBeta);
    }

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var batch = pairs.Next(config.BatchSize, generator);
        var best = Reduce(policy.SequenceLogProbs(batch.Prompts, batch.Chosen, batch.PromptMask), batch.Chosen, config);
        var worst = Reduce(policy.SequenceLogProbs(batch.Prompts, batch.Rejected, batch.PromptMask), batch.Rejected, config);
        var gap = PreferenceGap.Of(best, worst,
            Reduce(batch.ChosenReferenceLogProbs, batch.Chosen, config), Reduce(batch.RejectedReferenceLogProbs, batch.Rejected, config));
        // A CPU scalar: reading it costs no device synchronisation.
        var weight = alpha.item<double>();
        if (double.IsNaN(weight)) alpha.fill_(weight = EqualTermsAlpha(batch, config));
        var loss = Loss(best, gap, weight, config.Variant, config.EffectiveBeta);
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["nll_best"] = -best.detach().mean(),
            ["gap"] = gap.detach().mean(),
            ["alpha"] = alpha.to(loss.device),
        });
    }

    /// <inheritdoc />
    public void Dispose() => alpha.Dispose();

    /// <summary>Sequence log-probs [B] as the variant uses them: as given (summed) or divided by the response lengths.</summary>
    private static Tensor Reduce(Tensor logProbs, Tensor responses, BonBonConfig config) =>
        config.Variant.AveragesTokens() ? logProbs / ResponseLengths.Of(responses, config.EndTokens ?? []).to(logProbs.dtype) : logProbs;
}
