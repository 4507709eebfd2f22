namespace AlignLab.Theory.Objectives;

/// <summary>
/// The logistic (DPO) preference loss on (best, worst) pairs of n base samples, the preference term of BoNBoN as its
/// authors' code computes it (<see cref="BonBonVariant.LogisticSum"/>), in expectation:
/// L(θ) = Σ_{i,j} P(best = i, worst = j) · softplus(−β·h_θ(i, j)), h_θ(i, j) = θ_i − θ_j − log p(i) + log p(j), with P
/// <see cref="BestWorstLaw.Joint"/> and softplus(−x) = −log σ(x). Gradient:
/// ∇_k L = −β Σ_{i,j} P(i, j)·σ(−β h_θ(i, j))·(δ_ik − δ_jk). Convex in θ, but alone it has no minimiser (every gap wants
/// to grow without bound); BoNBoN's SFT term makes the sum coercive. The law is stored densely (its non-zero entries,
/// up to K²), so this is for supports of up to a few thousand outcomes.
/// </summary>
public sealed class LogisticBestWorstObjective : ITabularObjective
{
    private readonly double[] logBase;
    private readonly (int Best, int Worst, double Mass)[] pairs;

    /// <summary>The objective for n base samples per prompt and inverse temperature β &gt; 0.</summary>
    public LogisticBestWorstObjective(RewardDistribution distribution, int n, double beta)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        ArgumentChecks.Positive(beta, nameof(beta));
        Beta = beta;
        logBase = TabularLogits.Log(distribution.Probabilities);
        var joint = BestWorstLaw.Joint(distribution, n);
        var k = distribution.Count;
        var list = new List<(int, int, double)>();
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
                if (joint[i, j] > 0) list.Add((i, j, joint[i, j]));
        pairs = [.. list];
        Name = $"logistic-bon(n={n}, beta={beta:G6})";
    }

    /// <summary>The inverse temperature β.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => logBase.Length;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var value = 0.0;
        foreach (var (i, j, mass) in pairs) value += mass * Logistic.Softplus(-Beta * Gap(logits, i, j));
        return value;
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var gradient = new double[Dimension];
        foreach (var (i, j, mass) in pairs)
        {
            var g = -Beta * mass * Logistic.Sigmoid(-Beta * Gap(logits, i, j));
            gradient[i] += g;
            gradient[j] -= g;
        }
        return gradient;
    }

    private double Gap(IReadOnlyList<double> logits, int i, int j) => logits[i] - logits[j] - logBase[i] + logBase[j];
}
