namespace AlignLab.Theory.Objectives;

/// <summary>
/// The logistic preference loss in expectation over weighted ordered pairs (chosen i, rejected j):
/// L(θ) = Σ_{i,j} m_ij · softplus(−β·h_θ(i, j)), h_θ(i, j) = θ_i − θ_j − log p(i) + log p(j), with gradient
/// ∇_k L = −β Σ_{i,j} m_ij·σ(−β h_θ(i, j))·(δ_ik − δ_jk). DPO (Bradley–Terry pairs) and BoNBoN's logistic term
/// (best/worst pairs) are this loss with different pair masses.
/// </summary>
internal sealed class LogisticPairLoss
{
    private readonly double[] logBase;
    private readonly (int Chosen, int Rejected, double Mass)[] pairs;
    private readonly double beta;

    /// <summary>The loss of the pairs of <paramref name="mass"/> [K, K] with positive mass, summed in row-major order.</summary>
    public LogisticPairLoss(double[] logBase, double[,] mass, double beta)
    {
        this.logBase = logBase;
        this.beta = beta;
        var list = new List<(int, int, double)>();
        for (var i = 0; i < mass.GetLength(0); i++)
            for (var j = 0; j < mass.GetLength(1); j++)
                if (mass[i, j] > 0) list.Add((i, j, mass[i, j]));
        pairs = [.. list];
    }

    /// <summary>The number of outcomes K.</summary>
    public int Dimension => logBase.Length;

    /// <summary>L(θ) at <paramref name="logits"/> θ.</summary>
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var value = 0.0;
        foreach (var (i, j, mass) in pairs) value += mass * Logistic.Softplus(-beta * Gap(logits, i, j));
        return value;
    }

    /// <summary>∇L(θ) at <paramref name="logits"/> θ.</summary>
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var gradient = new double[Dimension];
        foreach (var (i, j, mass) in pairs)
        {
            var g = -beta * mass * Logistic.Sigmoid(-beta * Gap(logits, i, j));
            gradient[i] += g;
            gradient[j] -= g;
        }
        return gradient;
    }

    private double Gap(IReadOnlyList<double> logits, int i, int j) => logits[i] - logits[j] - logBase[i] + logBase[j];
}
