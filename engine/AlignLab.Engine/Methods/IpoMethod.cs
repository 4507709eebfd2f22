using AlignLab.Engine.Training;
using AlignLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Methods;

/// <summary>
/// IPO on preference pairs: L(θ) = (1/B)·Σ_b (h_θ,b − 1/(2β))², h_θ the log-ratio gap (see <see cref="DpoMethod"/>).
/// On best/worst-of-n pairs with β = β*_n this is the IPO term of BoNBoN (THEORY.md §4), whose exact optimum is
/// <c>AlignLab.Theory.Objectives.IpoBestWorstObjective</c>'s.
/// </summary>
public sealed class IpoMethod : IAlignmentMethod
{
    private readonly ISequencePolicy policy;
    private readonly IPreferencePairSource pairs;
    private readonly IpoConfig config;

    /// <summary>Trains <paramref name="policy"/> on pairs from <paramref name="pairs"/>.</summary>
    public IpoMethod(ISequencePolicy policy, IPreferencePairSource pairs, IpoConfig config)
    {
        this.policy = policy ?? throw new ArgumentNullException(nameof(policy));
        this.pairs = pairs ?? throw new ArgumentNullException(nameof(pairs));
        this.config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
    }

    /// <inheritdoc />
    public string Name => "ipo";

    /// <inheritdoc />
    public nn.Module Module => policy.Module;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, Tensor> State => pairs.State;

    /// <inheritdoc />
    object? IAlignmentMethod.Config => config;

    /// <summary>The IPO loss mean (h − 1/(2β))² of log-ratio gaps h [B].</summary>
    public static Tensor Loss(Tensor logRatioGap, double beta) => (logRatioGap - 1.0 / (2 * beta)).square().mean();

    /// <inheritdoc />
    public MethodOutput Step(torch.Generator generator)
    {
        var batch = pairs.Next(config.BatchSize, generator);
        var gap = PreferenceGap.Of(policy, batch);
        var loss = Loss(gap, config.Beta);
        return new MethodOutput(loss, new Dictionary<string, Tensor> { ["gap"] = gap.detach().mean() });
    }
}
