namespace AlignLab.Engine.Methods;

/// <summary>Supervised fine-tuning on a dataset: <see cref="BatchSize"/> rows drawn per step (default 32).</summary>
public sealed record SftConfig(int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public SftConfig Validate()
    {
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }
}
