using AlignLab.Engine.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// A Bayesian reward model by the Laplace approximation (Yang et al. 2024; THEORY.md §7): a <see cref="RewardModel"/>
/// fitted by Bradley–Terry, P(y_w ≻ y_l) = σ(r(y_w) − r(y_l)), whose chosen parameter subset θ (last layer or LoRA) gets
/// the posterior N(θ*, Σ), Σ = (GGN + λI)⁻¹, with the GGN of a pair h_n (J_w − J_l)ᵀ(J_w − J_l),
/// h_n = σ(m_n)(1 − σ(m_n)), m_n = r*(y_w) − r*(y_l), approximated diagonally or by KFAC (<see cref="LaplaceStructure"/>).
/// The linearised predictive of a response is N(r*(y), σ²(y)) with σ²(y) = J(y) Σ J(y)ᵀ. The prior N(0, λ⁻¹I) has a
/// fixed λ or the one maximising the Laplace log marginal likelihood
/// log Z(λ) = log p(D | θ*) − ½ λ ‖θ*‖² − ½ log det((GGN + λI)/λ), with θ* kept at the trained weights (post-hoc
/// tuning, as in Immer et al. 2021 and the laplace library). It owns its curvature and parameter vector (disposed with
/// it), not the <see cref="Model"/> it wraps.
/// </summary>
public sealed class LaplaceRewardModel : IUncertainRewardFunction, IDisposable
{
    private readonly Tensor _parameters;
    private readonly double _squaredNorm;

    private LaplaceRewardModel(RewardModel model, LaplaceConfig config, ILaplaceCurvature curvature, double logLikelihood, Tensor parameters)
    {
        Model = model;
        Config = config;
        Curvature = curvature;
        LogLikelihood = logLikelihood;
        _parameters = parameters;
        _squaredNorm = parameters.square().sum().item<double>();
        PriorPrecision = config.PriorPrecision
            ?? PriorPrecisionSearch.Maximise(LogMarginalLikelihood, config.MinPriorPrecision, config.MaxPriorPrecision, config.GridPoints);
        Name = $"{model.Name}-laplace";
    }

    /// <summary>The underlying reward model at its MAP weights θ*.</summary>
    public RewardModel Model { get; }

    /// <summary>The configuration it was fitted with.</summary>
    public LaplaceConfig Config { get; }

    /// <summary>The GGN approximation (a <see cref="DiagonalGgn"/> or <see cref="KroneckerGgn"/>).</summary>
    public ILaplaceCurvature Curvature { get; }

    /// <summary>The Bradley–Terry log-likelihood of the fitting pairs at θ*, Σ_n log σ(m_n).</summary>
    public double LogLikelihood { get; }

    /// <summary>The prior precision λ in use (fixed, or the marginal-likelihood maximiser).</summary>
    public double PriorPrecision { get; }

    /// <summary>Number of parameters P of the subset.</summary>
    public long ParameterCount => _parameters.shape[0];

    /// <summary>The subset's MAP weights θ* [P] (float64), in the order of <see cref="Jacobians"/>' columns.</summary>
    public Tensor ParameterVector => _parameters;

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>
    /// Fits the Laplace approximation of <paramref name="model"/> (already trained by Bradley–Terry) on its preference
    /// pairs: <paramref name="prompts"/> [N, P], preferred <paramref name="chosen"/> and dispreferred
    /// <paramref name="rejected"/> responses [N, L].
    /// </summary>
    public static LaplaceRewardModel Fit(RewardModel model, Tensor prompts, Tensor chosen, Tensor rejected, LaplaceConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        config = (config ?? new LaplaceConfig()).Validate();
        CheckRows(prompts, chosen, nameof(chosen));
        CheckRows(prompts, rejected, nameof(rejected));
        if (prompts.shape[0] < 1) throw new ArgumentException("prompts must hold at least one preference pair.", nameof(prompts));

        using var scope = NewDisposeScope();
        var (rewardW, factorsW) = SubsetFactors.Compute(model, config.Subset, prompts, chosen, config.BatchSize);
        var (rewardL, factorsL) = SubsetFactors.Compute(model, config.Subset, prompts, rejected, config.BatchSize);
        var margin = rewardW.to_type(ScalarType.Float64) - rewardL.to_type(ScalarType.Float64);
        var p = margin.sigmoid();
        var h = p * (1 - p);
        var logLikelihood = nn.functional.logsigmoid(margin).sum().item<double>();
        ILaplaceCurvature curvature = config.Structure == LaplaceStructure.Diagonal
            ? DiagonalGgn.Fit(factorsW, factorsL, h)
            : KroneckerGgn.Fit(factorsW, factorsL, h);
        var parameters = SubsetFactors.ParameterVector(model, config.Subset).DetachFromDisposeScope();
        return new LaplaceRewardModel(model, config, curvature, logLikelihood, parameters);
    }

    /// <summary>
    /// The Laplace log marginal likelihood (up to a λ-free constant) at prior precision λ:
    /// log p(D | θ*) − ½ λ ‖θ*‖² − ½ log det((GGN + λI)/λ).
    /// </summary>
    public double LogMarginalLikelihood(double priorPrecision) =>
        LogLikelihood - 0.5 * priorPrecision * _squaredNorm - 0.5 * Curvature.LogDetRatio(priorPrecision);

    /// <summary>The per-example Jacobians J(y) = ∂r(y)/∂θ of the subset at θ*, [B, P] (float64).</summary>
    public Tensor Jacobians(Tensor prompts, Tensor responses)
    {
        CheckRows(prompts, responses, nameof(responses));
        using var scope = NewDisposeScope();
        var (_, blocks) = SubsetFactors.Compute(Model, Config.Subset, prompts, responses, Config.BatchSize);
        return cat(blocks.Select(b => b.Jacobians().flatten(1)).ToArray(), 1).MoveToOuterDisposeScope();
    }

    /// <summary>The linearised predictive variance σ²(y) = J(y) Σ J(y)ᵀ of each row [B] (float64).</summary>
    public Tensor PredictiveVariance(Tensor prompts, Tensor responses)
    {
        CheckRows(prompts, responses, nameof(responses));
        using var scope = NewDisposeScope();
        var (_, blocks) = SubsetFactors.Compute(Model, Config.Subset, prompts, responses, Config.BatchSize);
        return Curvature.PredictiveVariance(blocks, PriorPrecision).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The linearised predictive variance of each row's preference margin r(y₁) − r(y₂), [B] (float64):
    /// (J(y₁) − J(y₂)) Σ (J(y₁) − J(y₂))ᵀ. Bradley–Terry data identify reward differences only, so the variance of a
    /// single reward keeps an offset part the pairs cannot reduce; the margin's variance does not.
    /// </summary>
    public Tensor MarginVariance(Tensor prompts, Tensor first, Tensor second)
    {
        CheckRows(prompts, first, nameof(first));
        CheckRows(prompts, second, nameof(second));
        using var scope = NewDisposeScope();
        var (_, a) = SubsetFactors.Compute(Model, Config.Subset, prompts, first, Config.BatchSize);
        var (_, b) = SubsetFactors.Compute(Model, Config.Subset, prompts, second, Config.BatchSize);
        // J₁ − J₂ = Σ_t g₁ a₁ᵀ + Σ_t (−g₂) a₂ᵀ: one factor pair over both sequences' positions.
        var difference = a.Zip(b, (x, y) => new LinearBlockFactors(cat([x.Inputs, y.Inputs], 1), cat([x.OutputGradients, -y.OutputGradients], 1))).ToArray();
        return Curvature.PredictiveVariance(difference, PriorPrecision).MoveToOuterDisposeScope();
    }

    /// <summary>The predictive mean r*(y) of each row [B]: the reward model at θ*.</summary>
    public Tensor Score(Tensor prompts, Tensor responses)
    {
        CheckRows(prompts, responses, nameof(responses));
        return Model.Score(prompts, responses);
    }

    /// <summary>
    /// Predictive mean r*(y) and standard deviation σ(y) = √(J(y) Σ J(y)ᵀ) of each row, both [B] in the model's dtype.
    /// σ(y) includes the reward offset that Bradley–Terry pairs cannot pin down (see <see cref="MarginVariance"/>).
    /// </summary>
    public (Tensor Mean, Tensor Std) ScoreWithUncertainty(Tensor prompts, Tensor responses)
    {
        CheckRows(prompts, responses, nameof(responses));
        using var scope = NewDisposeScope();
        var (rewards, blocks) = SubsetFactors.Compute(Model, Config.Subset, prompts, responses, Config.BatchSize);
        var std = Curvature.PredictiveVariance(blocks, PriorPrecision).sqrt().to_type(rewards.dtype);
        return (rewards.MoveToOuterDisposeScope(), std.MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Curvature.Dispose();
        _parameters.Dispose();
    }

    private static void CheckRows(Tensor prompts, Tensor responses, string name)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(responses, name);
        if (prompts.dim() != 2 || responses.dim() != 2)
            throw new ArgumentException($"prompts and {name} must be [N, P] and [N, L] token ids (got [{string.Join(", ", prompts.shape)}] and [{string.Join(", ", responses.shape)}]).", name);
        if (prompts.shape[0] != responses.shape[0])
            throw new ArgumentException($"prompts has {prompts.shape[0]} rows but {name} has {responses.shape[0]}; they must match.", name);
    }
}
