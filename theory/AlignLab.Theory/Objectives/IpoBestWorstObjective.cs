namespace AlignLab.Theory.Objectives;

/// <summary>
/// IPO on (best, worst) pairs of n base samples (the IPO term of BoNBoN, THEORY.md §4), in expectation:
/// L(θ) = Σ_{i,j} P(best = i, worst = j) · (h_θ(i, j) − h)², where h_θ(i, j) = log π_θ(i)/p(i) − log π_θ(j)/p(j) =
/// θ_i − θ_j − log p(i) + log p(j) (the softmax normaliser cancels) and P is <see cref="BestWorstLaw.Joint"/>. It is a
/// least-squares problem in θ: ∇_k L = 2 Σ_j P[k,j] e_kj − 2 Σ_i P[i,k] e_ik with e_ij = h_θ(i, j) − h, solved in closed
/// form by <see cref="SolveNormalEquations"/>. The target gap h defaults to h*_n = (n−1)·H_{n−1}.
/// Its minimiser is in general NOT π_n: the term only pins log-ratio gaps between outcomes that appear as best/worst pairs.
/// </summary>
public sealed class IpoBestWorstObjective : ITabularObjective
{
    private readonly double[,] joint;
    private readonly double[] logBase;

    /// <summary>The objective for n base samples per prompt and target gap h (default h*_n).</summary>
    public IpoBestWorstObjective(RewardDistribution distribution, int n, double? targetGap = null)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        TargetGap = targetGap ?? BonBonConstants.TargetGap(n);
        if (!double.IsFinite(TargetGap)) throw new ArgumentException($"targetGap must be finite (got {TargetGap}).", nameof(targetGap));
        joint = BestWorstLaw.Joint(distribution, n);
        logBase = Softmax.Log(distribution.Probabilities);
        Name = $"ipo-bon(n={n}, h={TargetGap:G6})";
    }

    /// <summary>The target log-ratio gap h.</summary>
    public double TargetGap { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => logBase.Length;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        Softmax.CheckLogits(logits, Dimension);
        var value = 0.0;
        for (var i = 0; i < Dimension; i++)
            for (var j = 0; j < Dimension; j++)
                if (joint[i, j] > 0)
                {
                    var e = Residual(logits, i, j);
                    value += joint[i, j] * e * e;
                }
        return value;
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        Softmax.CheckLogits(logits, Dimension);
        var gradient = new double[Dimension];
        for (var i = 0; i < Dimension; i++)
            for (var j = 0; j < Dimension; j++)
                if (joint[i, j] > 0)
                {
                    var g = 2 * joint[i, j] * Residual(logits, i, j);
                    gradient[i] += g;
                    gradient[j] -= g;
                }
        return gradient;
    }

    /// <summary>
    /// The exact minimiser from the normal equations A θ = b, A = Σ_{ij} P[i,j] (e_i − e_j)(e_i − e_j)ᵀ (a weighted graph
    /// Laplacian), b = Σ_{ij} P[i,j] c_ij (e_i − e_j), c_ij = h + log p(i) − log p(j); the softmax shift is fixed by Σθ = 0
    /// (solving (A + 11ᵀ) θ = b). Returns the logits.
    /// </summary>
    public double[] SolveNormalEquations()
    {
        var k = Dimension;
        var a = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(k, k, 1.0);
        var b = MathNet.Numerics.LinearAlgebra.Vector<double>.Build.Dense(k);
        for (var i = 0; i < k; i++)
            for (var j = 0; j < k; j++)
            {
                var w = joint[i, j];
                if (w == 0 || i == j) continue;
                a[i, i] += w;
                a[j, j] += w;
                a[i, j] -= w;
                a[j, i] -= w;
                var c = TargetGap + logBase[i] - logBase[j];
                b[i] += w * c;
                b[j] -= w * c;
            }
        return a.Solve(b).ToArray();
    }

    private double Residual(IReadOnlyList<double> logits, int i, int j) => logits[i] - logits[j] - logBase[i] + logBase[j] - TargetGap;
}
