using AlignLab.Engine.Training;
using AlignLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// DPO on preference pairs: with h_θ = log π_θ(y_w)/π_ref(y_w) − log π_θ(y_l)/π_ref(y_l),
/// L(θ) = −(1/B)·Σ_b log σ(β·h_θ,b). Under Bradley–Terry labels on pairs from the base its optimum is the RLHF tilt
/// π ∝ p·exp(r/β) (THEORY.md §3; <c>AlignLab.Theory.Objectives.DpoObjective</c>). Reference log-probs come with the
/// pairs (cached once by <see cref="DatasetPairSource"/>).
/// </summary>
public sealed class DpoMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly IPreferencePairSource pairs;
    private readonly DpoConfig config;

    /// <summary>Trains <paramref name="policy"/> on pairs from <paramref name="pairs"/>.</summary>
    public DpoMethod(ISequencePolicy policy, IPreferencePairSource pairs, DpoConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.pairs = pairs ?? throw new ArgumentNullException(nameof(pairs));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
    }

    /// <inheritdoc />
    public string Name => "dpo";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => pairs.State;

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <summary>The DPO loss −mean log σ(β·h) of log-ratio gaps h [B].</summary>
    public static Tensor Loss(Tensor logRatioGap, double beta) => -nn.functional.logsigmoid(beta * logRatioGap).mean();

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var batch = pairs.Next(config.BatchSize, generator);
        var gap = PreferenceGap.Of(policy, batch);
        var loss = Loss(gap, config.Beta);
        return new MethodOutput(loss, new Dictionary<string, Tensor>
        {
            ["gap"] = gap.detach().mean(),
            ["accuracy"] = (gap.detach() > 0).to(gap.dtype).mean(),
        });
    }
}
