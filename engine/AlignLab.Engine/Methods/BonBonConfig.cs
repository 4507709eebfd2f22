namespace AlignLab.Engine.Methods;

/// <summary>
/// BoNBoN alignment (Gui et al. 2024; THEORY.md §4).
/// </summary>
/// <param name="N">Samples per prompt n the best/worst pairs come from (default 8).</param>
/// <param name="Alpha">Weight α of the SFT term, 1 − α on the IPO term (default 0.5).</param>
/// <param name="Beta">IPO β; null (default) uses β*_n = 1/(2(n−1)H_{n−1}), i.e. the target gap h*_n.</param>
/// <param name="BatchSize">Pairs per step (default 32).</param>
public sealed record BonBonConfig(int N = 8, double Alpha = 0.5, double? Beta = null, int BatchSize = 32)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public BonBonConfig Validate()
    {
        MethodChecks.AtLeast(N, 2, nameof(N));
        MethodChecks.UnitInterval(Alpha, nameof(Alpha));
        if (Beta is { } beta) MethodChecks.Positive(beta, nameof(Beta));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        return this;
    }

    /// <summary>The target log-ratio gap 1/(2β), h*_n by default.</summary>
    public double TargetGap => Beta is { } beta ? 1 / (2 * beta) : AlignLab.Theory.BonBonConstants.TargetGap(N);
}
