namespace AlignLab.Theory.Objectives;

/// <summary>
/// IPO on (best, worst) pairs of n base samples (the IPO term of BoNBoN, THEORY.md §4), in expectation:
/// L(θ) = Σ_{i,j} P(best = i, worst = j) · (h_θ(i, j) − h)², where h_θ(i, j) = log π_θ(i)/p(i) − log π_θ(j)/p(j) =
/// θ_i − θ_j − log p(i) + log p(j) (the softmax normaliser cancels) and P is <see cref="BestWorstLaw.Joint"/>. It is a
/// least-squares problem in θ, solved in closed form by <see cref="SolveNormalEquations"/> for small K. The target gap h
/// defaults to h*_n = (n−1)·H_{n−1}.
/// Value and gradient never form the K×K law: P factorises as M(a, b)·(p_i/q_a)·(p_j/q_b) over reward levels a ≥ b,
/// so L = Σ_{a≥b} M(a, b)·E[(h_i − h_j − h)²] needs only each level's first two moments S1, S2 of h_i = θ_i − log p(i)
/// under p(·|level), and the level sums of M come from <see cref="ExtremeLevelSums"/> in O(L·n). This is what lets the
/// theory module find the objective's optimum on the toy task's 7,776 responses per prompt.
/// Its minimiser is in general NOT π_n: the term only pins log-ratio gaps between outcomes that appear as best/worst pairs.
/// </summary>
public sealed class IpoBestWorstObjective : ITabularObjective
{
    private readonly RewardDistribution distribution;
    private readonly double[] logBase;
    private readonly ExtremeLevelSums sums;
    private readonly int n;
    private readonly double[] belowOnes; // Σ_{b<a} M(a, b) and Σ_{a>b} M(a, b): independent of θ, so summed once
    private readonly double[] aboveOnes;

    /// <summary>The objective for n base samples per prompt and target gap h (default h*_n).</summary>
    public IpoBestWorstObjective(RewardDistribution distribution, int n, double? targetGap = null)
    {
        this.distribution = distribution ?? throw new ArgumentNullException(nameof(distribution));
        if (n < 2) throw new ArgumentException($"n must be >= 2 for best/worst pairs (got {n}).", nameof(n));
        this.n = n;
        TargetGap = targetGap ?? BonBonConstants.TargetGap(n);
        if (!double.IsFinite(TargetGap)) throw new ArgumentException($"targetGap must be finite (got {TargetGap}).", nameof(targetGap));
        logBase = TabularLogits.Log(distribution.Probabilities);
        sums = new ExtremeLevelSums(distribution.LevelMasses, n);
        var ones = Enumerable.Repeat(1.0, sums.Count).ToArray();
        belowOnes = sums.Below(ones);
        aboveOnes = sums.Above(ones);
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
        TabularLogits.CheckLogits(logits, Dimension);
        var (s1, s2) = LevelMoments(logits);
        var c = TargetGap;
        var diagonal = sums.Diagonal;
        var belowS1 = sums.Below(s1);
        var belowS2 = sums.Below(s2);
        var value = 0.0;
        for (var a = 0; a < s1.Length; a++)
        {
            // Both draws on level a (independent given the level): E[(h_i − h_j − c)²] = 2·S2 − 2·S1² + c².
            value += diagonal[a] * (2 * s2[a] - 2 * s1[a] * s1[a] + c * c);
            // Σ_{b<a} M(a, b)·(S2_a + S2_b − 2 S1_a S1_b − 2c S1_a + 2c S1_b + c²).
            value += (s2[a] - 2 * c * s1[a] + c * c) * belowOnes[a] + belowS2[a] + 2 * c * belowS1[a] - 2 * s1[a] * belowS1[a];
        }
        return value;
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var (s1, s2) = LevelMoments(logits);
        var c = TargetGap;
        var diagonal = sums.Diagonal;
        var belowS1 = sums.Below(s1);
        var aboveS1 = sums.Above(s1);
        var levels = distribution.LevelOfOutcome;
        var masses = distribution.LevelMasses;
        var p = distribution.Probabilities;
        var gradient = new double[Dimension];
        for (var i = 0; i < Dimension; i++)
        {
            if (p[i] == 0) continue;
            var a = levels[i];
            // ∂L/∂h_i = (p_i/q_a)·(∂L/∂S1_a + 2·h_i·∂L/∂S2_a); a level is the upper one of its pairs with lower levels
            // (Below) and the lower one of its pairs with higher levels (Above).
            var dS2 = 2 * diagonal[a] + belowOnes[a] + aboveOnes[a];
            var dS1 = -4 * diagonal[a] * s1[a] - 2 * c * belowOnes[a] - 2 * belowS1[a] + 2 * c * aboveOnes[a] - 2 * aboveS1[a];
            var h = logits[i] - logBase[i];
            gradient[i] = p[i] / masses[a] * (dS1 + 2 * h * dS2);
        }
        return gradient;
    }

    /// <summary>Per level a, S1 = E[h_i | a] and S2 = E[h_i² | a] under p, with h_i = θ_i − log p(i) (zero-mass outcomes skipped).</summary>
    private (double[] S1, double[] S2) LevelMoments(IReadOnlyList<double> logits)
    {
        var s1 = new double[sums.Count];
        var s2 = new double[sums.Count];
        var levels = distribution.LevelOfOutcome;
        var masses = distribution.LevelMasses;
        var p = distribution.Probabilities;
        for (var i = 0; i < Dimension; i++)
        {
            if (p[i] == 0) continue;
            var a = levels[i];
            var h = logits[i] - logBase[i];
            var w = p[i] / masses[a];
            s1[a] += w * h;
            s2[a] += w * h * h;
        }
        return (s1, s2);
    }

    /// <summary>
    /// The exact minimiser from the normal equations (dense K×K: for small K) A θ = b, A = Σ_{ij} P[i,j] (e_i − e_j)(e_i − e_j)ᵀ (a weighted graph
    /// Laplacian), b = Σ_{ij} P[i,j] c_ij (e_i − e_j), c_ij = h + log p(i) − log p(j); the softmax shift is fixed by Σθ = 0
    /// (solving (A + 11ᵀ) θ = b). Returns the logits.
    /// </summary>
    public double[] SolveNormalEquations()
    {
        var joint = BestWorstLaw.Joint(distribution, n);
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
}
