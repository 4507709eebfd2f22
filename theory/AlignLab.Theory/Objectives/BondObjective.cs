namespace AlignLab.Theory.Objectives;

/// <summary>
/// The BOND objective (THEORY.md §6): J_β(θ) = (1 − β)·KL(π_n ‖ π_θ) + β·KL(π_θ ‖ π_n), β ∈ [0, 1]. Gradient:
/// (1 − β)(π_θ − π_n) + β·π_θ ⊙ (log(π_θ/π_n) − KL(π_θ‖π_n)). Its minimiser is π_n for every β.
/// </summary>
public sealed class BondObjective : ITabularObjective
{
    private readonly double[] target;
    private readonly double[] logTarget;

    /// <summary>The objective for best-of-<paramref name="n"/> of <paramref name="distribution"/> and Jeffreys weight β.</summary>
    public BondObjective(RewardDistribution distribution, int n, double beta)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        ArgumentChecks.UnitInterval(beta, nameof(beta));
        Beta = beta;
        target = Tilting.BestOfN(distribution, n).Probabilities.ToArray();
        logTarget = TabularLogits.Log(target);
        Name = $"bond(n={n}, beta={beta:G6})";
    }

    /// <summary>The Jeffreys mixing weight β.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => target.Length;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var logPi = Softmax.LogProbabilities(logits);
        var forward = target.Select((t, i) => t > 0 ? t * (logTarget[i] - logPi[i]) : 0.0).Sum();
        var backward = logPi.Select((l, i) => Math.Exp(l) * (l - logTarget[i])).Sum();
        return (1 - Beta) * forward + Beta * backward;
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var logPi = Softmax.LogProbabilities(logits);
        var backward = logPi.Select((l, i) => Math.Exp(l) * (l - logTarget[i])).Sum();
        return logPi.Select((l, i) =>
        {
            var pi = Math.Exp(l);
            return (1 - Beta) * (pi - target[i]) + Beta * pi * (l - logTarget[i] - backward);
        }).ToArray();
    }
}
