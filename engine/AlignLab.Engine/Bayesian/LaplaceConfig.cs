namespace AlignLab.Engine.Bayesian;

/// <summary>
/// How to build a <see cref="LaplaceRewardModel"/>: the parameter <see cref="Subset"/> (default the last layer), the GGN
/// <see cref="Structure"/> (default KFAC), and the prior precision λ of N(0, λ⁻¹I): a fixed <see cref="PriorPrecision"/>,
/// or null (the default) to maximise the Laplace log marginal likelihood over [<see cref="MinPriorPrecision"/>,
/// <see cref="MaxPriorPrecision"/>] (defaults 1e-4 and 1e4) by a log-spaced grid of <see cref="GridPoints"/> points
/// (default 33) refined by golden-section search. <see cref="BatchSize"/> (default 256) rows are differentiated at once.
/// </summary>
public sealed record LaplaceConfig(
    LaplaceSubset Subset = LaplaceSubset.LastLayer,
    LaplaceStructure Structure = LaplaceStructure.Kfac,
    double? PriorPrecision = null,
    double MinPriorPrecision = 1e-4,
    double MaxPriorPrecision = 1e4,
    int GridPoints = 33,
    int BatchSize = 256)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public LaplaceConfig Validate()
    {
        if (!Enum.IsDefined(Subset)) throw new ArgumentException($"Subset must be LastLayer or Lora (got {Subset}).", nameof(Subset));
        if (!Enum.IsDefined(Structure)) throw new ArgumentException($"Structure must be Diagonal or Kfac (got {Structure}).", nameof(Structure));
        if (PriorPrecision is { } lambda && (!(lambda > 0) || double.IsInfinity(lambda)))
            throw new ArgumentException($"PriorPrecision must be > 0 and finite, or null for marginal likelihood (got {lambda}).", nameof(PriorPrecision));
        if (!(MinPriorPrecision > 0) || double.IsInfinity(MinPriorPrecision))
            throw new ArgumentException($"MinPriorPrecision must be > 0 and finite (got {MinPriorPrecision}).", nameof(MinPriorPrecision));
        if (!(MaxPriorPrecision > MinPriorPrecision) || double.IsInfinity(MaxPriorPrecision))
            throw new ArgumentException($"MaxPriorPrecision must be finite and exceed MinPriorPrecision {MinPriorPrecision} (got {MaxPriorPrecision}).", nameof(MaxPriorPrecision));
        if (GridPoints < 3) throw new ArgumentException($"GridPoints must be >= 3 (got {GridPoints}).", nameof(GridPoints));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be >= 1 (got {BatchSize}).", nameof(BatchSize));
        return this;
    }
}
