namespace AlignLab.Theory.Objectives;

/// <summary>
/// DPO in expectation over pairs drawn i.i.d. from the base and labelled by Bradley–Terry on the reward
/// (P(i ≻ j) = σ(r(i) − r(j))): L(θ) = Σ_{i,j} w_ij · softplus(−β d_ij) with w_ij = P(chosen = i, rejected = j) =
/// 2 p(i) p(j) σ(r(i) − r(j)) (either draw order), where
/// d_ij = log π_θ(i)/p(i) − log π_θ(j)/p(j) and −log σ(x) = softplus(−x). Gradient:
/// ∇_k L = −β Σ_{ij} w_ij σ(−β d_ij) (δ_ik − δ_jk). Its minimiser is the RLHF tilt π ∝ p·exp(r/β) (THEORY.md §3).
/// </summary>
public sealed class DpoObjective : ITabularObjective
{
    private readonly LogisticPairLoss loss;

    /// <summary>The objective for inverse temperature β &gt; 0.</summary>
    public DpoObjective(RewardDistribution distribution, double beta)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.Positive(beta, nameof(beta));
        Beta = beta;
        var p = distribution.Probabilities;
        var r = distribution.Rewards;
        var k = distribution.Count;
        var weight = new double[k, k];
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
                weight[i, j] = 2 * p[i] * p[j] * Logistic.Sigmoid(r[i] - r[j]);
        loss = new LogisticPairLoss(TabularLogits.Log(p), weight, beta);
        Name = $"dpo(beta={beta:G6})";
    }

    /// <summary>The DPO inverse temperature β.</summary>
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
