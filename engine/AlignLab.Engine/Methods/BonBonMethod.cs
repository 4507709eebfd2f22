using AlignLab.Engine.Models;
using AlignLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// BoNBoN (THEORY.md §4): on (best, worst) pairs of n reference samples,
/// L(θ) = α·(1/B)·Σ_b −log π_θ(y_best,b | x_b) + (1 − α)·(1/B)·Σ_b (h_θ,b − h*_n)², h_θ the log-ratio gap between best
/// and worst. Pairs come fresh from <see cref="BestWorstPairSource"/> or from a fixed best/worst dataset. The exact
/// optimum is <c>AlignLab.Theory.Objectives.BonBonObjective</c>'s.
/// </summary>
public sealed class BonBonMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly IPreferencePairSource pairs;
    private readonly BonBonConfig config;

    /// <summary>Trains <paramref name="policy"/> on best/worst pairs from <paramref name="bestWorstPairs"/>.</summary>
    public BonBonMethod(ISequencePolicy policy, IPreferencePairSource bestWorstPairs, BonBonConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        pairs = bestWorstPairs ?? throw new ArgumentNullException(nameof(bestWorstPairs));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
    }

    /// <inheritdoc />
    public string Name => "bonbon";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <summary>The BoNBoN loss α·mean(−log π(y_best)) + (1−α)·mean((h − h*)²) from best log-probs [B] and gaps h [B].</summary>
    public static Tensor Loss(Tensor bestLogProbs, Tensor logRatioGap, double alpha, double targetGap) =>
        alpha * -bestLogProbs.mean() + (1 - alpha) * (logRatioGap - targetGap).square().mean();

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var batch = pairs.Next(config.BatchSize, generator);
        var bestLogProbs = policy.SequenceLogProbs(batch.Prompts, batch.Chosen);
        var gap = PreferenceGap.Of(bestLogProbs, policy.SequenceLogProbs(batch.Prompts, batch.Rejected), batch);
        var loss = Loss(bestLogProbs, gap, config.Alpha, config.TargetGap);
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["nll_best"] = -bestLogProbs.detach().mean(),
            ["gap"] = gap.detach().mean(),
        });
    }
}
