namespace AlignLab.Theory.Objectives;

/// <summary>
/// The BoNBoN objective in expectation (THEORY.md §4): L(θ) = α · E[−log π_θ(y_best)] + (1 − α) · E[(h_θ − h*_n)²]
/// = α · <see cref="SftOnBestObjective"/> + (1 − α) · <see cref="IpoBestWorstObjective"/>, with α ∈ [0, 1].
/// </summary>
public sealed class BonBonObjective : ITabularObjective
{
    private readonly SftOnBestObjective sft;
    private readonly IpoBestWorstObjective ipo;

    /// <summary>The objective for n base samples, SFT weight α and target gap h (default h*_n).</summary>
    public BonBonObjective(RewardDistribution distribution, int n, double alpha, double? targetGap = null)
    {
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentException($"alpha must be in [0, 1] (got {alpha}).", nameof(alpha));
        Alpha = alpha;
        sft = new SftOnBestObjective(distribution, n);
        ipo = new IpoBestWorstObjective(distribution, n, targetGap);
        Name = $"bonbon(n={n}, alpha={alpha:G6})";
    }

    /// <summary>The SFT weight α.</summary>
    public double Alpha { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => sft.Dimension;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits) => Alpha * sft.Value(logits) + (1 - Alpha) * ipo.Value(logits);

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        var g1 = sft.Gradient(logits);
        var g2 = ipo.Gradient(logits);
        return g1.Select((g, i) => Alpha * g + (1 - Alpha) * g2[i]).ToArray();
    }
}
