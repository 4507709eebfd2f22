using AlignLab.Models.Generation;

namespace AlignLab.Engine.Methods;

/// <summary>
/// Variational BoN (Amini et al. 2024; THEORY.md §5).
/// </summary>
/// <param name="Sampling">How responses are drawn, from the base for F̂ and from the policy for the gradient.</param>
/// <param name="N">The n of the target π_n (default 8).</param>
/// <param name="BaseSamples">Base samples M per prompt for the empirical CDF F̂, drawn once (default 256).</param>
/// <param name="SamplesPerPrompt">Policy samples k per prompt for the RLOO estimator, ≥ 2 (default 4).</param>
/// <param name="BatchSize">Prompts per step (default 16).</param>
/// <param name="KlCoefficient">KL(π‖p) coefficient; null (default) uses 1/(n−1), which makes the objective KL(π‖π_n)/(n−1).</param>
/// <param name="CdfSeed">Seed of the generator drawing the M base samples (default 0).</param>
public sealed record VbonConfig(
    SamplingOptions Sampling, int N = 8, int BaseSamples = 256, int SamplesPerPrompt = 4, int BatchSize = 16,
    double? KlCoefficient = null, long CdfSeed = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public VbonConfig Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        MethodChecks.AtLeast(N, 2, nameof(N));
        MethodChecks.AtLeast(BaseSamples, 1, nameof(BaseSamples));
        MethodChecks.AtLeast(SamplesPerPrompt, 2, nameof(SamplesPerPrompt));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        if (KlCoefficient is { } kl) MethodChecks.NonNegative(kl, nameof(KlCoefficient));
        return this;
    }

    /// <summary>The KL coefficient in use: <see cref="KlCoefficient"/> or 1/(n−1).</summary>
    public double EffectiveKlCoefficient => KlCoefficient ?? 1.0 / (N - 1);
}
