namespace AlignLab.Theory.Objectives;

/// <summary>
/// The exact joint law of the best and the worst of n i.i.d. draws from the base (THEORY.md §9), with the tie rule of
/// the engine's selection: the best is a uniformly chosen draw among those of maximal reward, the worst a uniformly
/// chosen draw among those of minimal reward, and (n ≥ 2) the two are different draws, chosen with one shared random
/// order. With levels a = level(i) ≥ b = level(j), level masses q and
/// M(a, b) = P(max level = a, min level = b) = G(a, b) − G(a⁻, b) − G(a, b⁺) + G(a⁻, b⁺), G(a, b) = (F(a) − F⁻(b))₊ⁿ,
/// the pmf is P(best = i, worst = j) = p(i) p(j) / (q(a) q(b)) · M(a, b), and 0 when a &lt; b. Given the two extreme
/// levels, the best and worst draws are independent and uniform on their level's outcomes in proportion to p, which gives
/// the product form; M(a, a) = q(a)ⁿ.
/// </summary>
public static class BestWorstLaw
{
    /// <summary>
    /// The K×K matrix P[i, j] = P(best = outcome i, worst = outcome j) for n draws (integer n ≥ 1; for n = 1 the single
    /// draw is both, so P is diagonal with p). Row sums are the best-of-n policy π_n, column sums the worst-of-n policy.
    /// </summary>
    public static double[,] Joint(RewardDistribution distribution, int n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        var k = distribution.Count;
        var p = distribution.Probabilities;
        var joint = new double[k, k];
        if (n == 1)
        {
            for (var i = 0; i < k; i++) joint[i, i] = p[i];
            return joint;
        }
        var cdf = distribution.Cdf;
        var strict = distribution.StrictCdf;
        var mass = distribution.LevelMass;
        var rewards = distribution.Rewards;
        double G(double upper, double lower) => upper > lower ? Math.Pow(upper - lower, n) : 0.0;
        for (var i = 0; i < k; i++)
        {
            for (var j = 0; j < k; j++)
            {
                if (rewards[i] < rewards[j] || p[i] == 0 || p[j] == 0) continue;
                var levels = G(cdf[i], strict[j]) - G(strict[i], strict[j]) - G(cdf[i], cdf[j]) + G(strict[i], cdf[j]);
                joint[i, j] = p[i] * p[j] / (mass[i] * mass[j]) * Math.Max(levels, 0.0);
            }
        }
        return joint;
    }
}
