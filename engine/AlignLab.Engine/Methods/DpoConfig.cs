namespace AlignLab.Engine.Methods;

/// <summary>DPO (Rafailov et al. 2023): inverse temperature <see cref="Beta"/> β (default 0.1), pairs per step (default 32).</summary>
public sealed record DpoConfig(double Beta = 0.1, int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public DpoConfig Validate()
    {
        MethodChecks.Positive(Beta, nameof(Beta));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
