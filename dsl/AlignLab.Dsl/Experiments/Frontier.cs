using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>The analytic frontiers an <see cref="Experiment"/> can draw (THEORY.md §3).</summary>
public static class Frontier
{
    /// <summary>Best-of-n, π_n ∝ p·[Fⁿ − F⁻ⁿ]/q, as n sweeps from 1.</summary>
    public static FrontierSpec BestOfN { get; } = new(FrontierFamily.BestOfN, "best-of-n (exact)");

    /// <summary>The win-rate-optimal tilt p·exp(c·s), as c sweeps from 0 (BoNBoN's optimality theorem).</summary>
    public static FrontierSpec Optimal { get; } = new(FrontierFamily.Optimal, "optimal (exact)");

    /// <summary>The RLHF / DPO tilt p·exp(r/β), as 1/β sweeps from 0.</summary>
    public static FrontierSpec Rlhf { get; } = new(FrontierFamily.Rlhf, "RLHF tilt (exact)");

    /// <summary>Every frontier.</summary>
    public static IReadOnlyList<FrontierSpec> All { get; } = [BestOfN, Optimal, Rlhf];
}
