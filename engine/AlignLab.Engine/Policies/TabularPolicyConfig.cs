namespace AlignLab.Engine.Policies;

/// <summary>
/// Shape of a <see cref="TabularPolicy"/>: <see cref="PromptCount"/> prompts (ids 0..P−1) and
/// <see cref="OutcomeCount"/> outcomes per prompt (ids 0..K−1). The policy has P·K parameters.
/// </summary>
public sealed record TabularPolicyConfig(int PromptCount, int OutcomeCount)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public TabularPolicyConfig Validate()
    {
        if (PromptCount < 1) throw new ArgumentException($"PromptCount must be >= 1 (got {PromptCount}).", nameof(PromptCount));
        if (OutcomeCount < 1) throw new ArgumentException($"OutcomeCount must be >= 1 (got {OutcomeCount}).", nameof(OutcomeCount));
        return this;
    }
}
