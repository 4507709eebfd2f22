namespace AlignLab.Engine.Models.Lora;

/// <summary>
/// Low-rank adaptation (Hu et al. 2021): a frozen linear map W is replaced by W + (α/r)·B A with A [r, in], B [out, r].
/// <see cref="Rank"/> r (default 8) and <see cref="Alpha"/> α (default 16) set the update's rank and scale.
/// </summary>
public sealed record LoraConfig(int Rank = 8, double Alpha = 16)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public LoraConfig Validate()
    {
        if (Rank < 1) throw new ArgumentException($"Rank must be >= 1 (got {Rank}).", nameof(Rank));
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentException($"Alpha must be > 0 and finite (got {Alpha}).", nameof(Alpha));
        return this;
    }

    /// <summary>The scale α/r applied to the low-rank update.</summary>
    public double Scaling => Alpha / Rank;
}
