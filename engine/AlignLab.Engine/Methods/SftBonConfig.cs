using AlignLab.Models.Generation;

namespace AlignLab.Engine.Methods;

/// <summary>
/// SFT on best-of-n samples of the reference policy (SFT-BoN; the forward part of BOND).
/// </summary>
/// <param name="Sampling">How the reference's n candidates are drawn (temperature 1 samples the base itself).</param>
/// <param name="N">Candidates per prompt n (default 4).</param>
/// <param name="BatchSize">Prompts per step (default 32).</param>
public sealed record SftBonConfig(SamplingOptions Sampling, int N = 4, int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public SftBonConfig Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        MethodChecks.AtLeast(N, 1, nameof(N));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
