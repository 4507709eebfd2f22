namespace AlignLab.Engine.Methods;

/// <summary>Bradley–Terry reward modelling: <see cref="BatchSize"/> labelled pairs per step (default 32).</summary>
public sealed record RewardModelConfig(int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public RewardModelConfig Validate()
    {
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
