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
    private readonly LogisticPairLoss loss;

    /// <summary>The objective for n base samples per prompt and inverse temperature β &gt; 0.</summary>
    public LogisticBestWorstObjective(RewardDistribution distribution, int n, double beta)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        ArgumentChecks.Positive(beta, nameof(beta));
        Beta = beta;
        loss = new LogisticPairLoss(TabularLogits.Log(distribution.Probabilities), BestWorstLaw.Joint(distribution, n), beta);
        Name = $"logistic-bon(n={n}, beta={beta:G6})";
    }

    /// <summary>The inverse temperature β.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => loss.Dimension;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits) => loss.Value(logits);

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits) => loss.Gradient(logits);
}
