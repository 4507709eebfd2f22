namespace AlignLab.Theory.Objectives;

/// <summary>
/// The variational BoN objective (THEORY.md §5): L(θ) = KL(π_θ ‖ π_n) = Σ_y π_θ(y) log(π_θ(y)/π_n(y)), with the exact
/// discrete π_n (ties included). Gradient: ∇_k L = π_θ(k) · (log(π_θ(k)/π_n(k)) − L). Its minimiser is π_n, which a
/// tabular softmax represents (π_n &gt; 0 wherever p &gt; 0).
/// </summary>
public sealed class ReverseKlObjective : ITabularObjective
{
    private readonly double[] logTarget;

    /// <summary>The objective KL(π_θ ‖ π_n) for best-of-<paramref name="n"/> of <paramref name="distribution"/>.</summary>
    public ReverseKlObjective(RewardDistribution distribution, int n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        logTarget = TabularLogits.Log(Tilting.BestOfN(distribution, n).Probabilities);
        Name = $"vbon(n={n})";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => logTarget.Length;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var logPi = Softmax.LogProbabilities(logits);
        return logPi.Select((l, i) => Math.Exp(l) * (l - logTarget[i])).Sum();
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var logPi = Softmax.LogProbabilities(logits);
        var value = logPi.Select((l, i) => Math.Exp(l) * (l - logTarget[i])).Sum();
        return logPi.Select((l, i) => Math.Exp(l) * (l - logTarget[i] - value)).ToArray();
    }
}
