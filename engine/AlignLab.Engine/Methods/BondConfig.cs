using AlignLab.Models.Generation;

namespace AlignLab.Engine.Methods;

/// <summary>
/// BOND and J-BOND (Sessa et al. 2024; THEORY.md §6).
/// </summary>
/// <param name="Sampling">How responses are drawn from the anchor and from the policy.</param>
/// <param name="N">The n of the distilled BoN_n of the anchor (default 2, as in J-BOND).</param>
/// <param name="JeffreysBeta">Mixing weight β of J_β = (1−β)·KL(π_n‖π) + β·KL(π‖π_n) (default 0.5).</param>
/// <param name="AnchorDecay">
/// EMA rate η of the moving anchor, θ_anchor ← (1−η)·θ_anchor + η·θ each step; 0 keeps the anchor fixed at the base,
/// which is plain BOND (default 0).
/// </param>
/// <param name="AnchorSamples">Anchor samples M per prompt per step for the empirical CDF F̂ (default 32).</param>
/// <param name="SamplesPerPrompt">Policy samples k per prompt for the RLOO backward part, ≥ 2 (default 4).</param>
/// <param name="KlRegularization">Coefficient γ of an extra KL(π‖reference) regulariser (default 0).</param>
/// <param name="BatchSize">Prompts per step (default 16).</param>
public sealed record BondConfig(
    SamplingOptions Sampling, int N = 2, double JeffreysBeta = 0.5, double AnchorDecay = 0.0, int AnchorSamples = 32,
    int SamplesPerPrompt = 4, double KlRegularization = 0.0, int BatchSize = 16)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public BondConfig Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        MethodChecks.AtLeast(N, 1, nameof(N));
        MethodChecks.UnitInterval(JeffreysBeta, nameof(JeffreysBeta));
        MethodChecks.UnitInterval(AnchorDecay, nameof(AnchorDecay));
        MethodChecks.AtLeast(AnchorSamples, 1, nameof(AnchorSamples));
        MethodChecks.AtLeast(SamplesPerPrompt, 2, nameof(SamplesPerPrompt));
        MethodChecks.NonNegative(KlRegularization, nameof(KlRegularization));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
