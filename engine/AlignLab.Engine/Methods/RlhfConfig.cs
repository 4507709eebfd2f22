using AlignLab.Models.Generation;

namespace AlignLab.Engine.Methods;

/// <summary>
/// KL-regularised RLHF (THEORY.md §3): maximise E_π[r] − β·KL(π‖p).
/// </summary>
/// <param name="Sampling">How the policy's responses are drawn.</param>
/// <param name="Beta">KL coefficient β (default 0.1).</param>
/// <param name="SamplesPerPrompt">Samples k per prompt for RLOO, ≥ 2 (default 4).</param>
/// <param name="BatchSize">Prompts per step (default 16).</param>
public sealed record RlhfConfig(SamplingOptions Sampling, double Beta = 0.1, int SamplesPerPrompt = 4, int BatchSize = 16)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public RlhfConfig Validate()
    {
        ArgumentNullException.ThrowIfNull(Sampling);
        Sampling.Validate();
        MethodChecks.Positive(Beta, nameof(Beta));
        MethodChecks.AtLeast(SamplesPerPrompt, 2, nameof(SamplesPerPrompt));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
