namespace AlignLab.Theory;

/// <summary>
/// Tiltings of a base distribution, π_f(y) ∝ p(y) f(y) (THEORY.md §1 and §3), all computed in log space so that
/// n = 10⁶, c = 10⁴ or β = 1e-4 neither overflow nor produce NaN.
/// </summary>
public static class Tilting
{
    /// <summary>The base policy itself, π = p (kind "base").</summary>
    public static DiscretePolicy Base(RewardDistribution distribution)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        return new DiscretePolicy(distribution, distribution.ProbabilityArray, "base", null);
    }

    /// <summary>
    /// The best-of-n policy, exact with ties (THEORY.md §1): π_n(y) = p(y) · [F(r(y))ⁿ − F⁻(r(y))ⁿ] / q(r(y)): draw n
    /// base samples, keep one with the largest reward, break ties uniformly. Any real n ≥ 1 gives this tilt; π_1 = p.
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static DiscretePolicy BestOfN(RewardDistribution distribution, double n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        var levels = distribution.Levels;
        var logLevel = new double[levels.Count];
        for (int l = 0; l < logLevel.Length; l++) logLevel[l] = levels.LogBestOfNMass(l, n);
        return FromLevelMasses(distribution, logLevel, "bon", n);
    }

    /// <summary>
    /// Best-of-n applied to a policy π instead of the base (THEORY.md §1, composition): the BoN tilt relative to π's own
    /// reward CDF, G(t) = P_{Y~π}[r(Y) ≤ t]. BestOfN(BestOfN(d, n), m) equals BestOfN(d, m·n) exactly, ties included.
    /// The result is measured against the original base (kind "bon-of-" + the policy's kind, parameter n).
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static DiscretePolicy BestOfN(DiscretePolicy policy, double n)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        var anchor = new RewardDistribution(policy.ProbabilityArray, policy.Base.RewardArray);
        var composed = BestOfN(anchor, n);
        return new DiscretePolicy(policy.Base, composed.ProbabilityArray, "bon-of-" + policy.Kind, n);
    }

    /// <summary>
    /// The worst-of-n policy (THEORY.md §1): π(y) = p(y) · [(1 − F⁻)ⁿ − (1 − F)ⁿ] / q, real n ≥ 1.
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static DiscretePolicy WorstOfN(RewardDistribution distribution, double n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        var levels = distribution.Levels;
        var logLevel = new double[levels.Count];
        for (int l = 0; l < logLevel.Length; l++) logLevel[l] = levels.LogWorstOfNMass(l, n);
        return FromLevelMasses(distribution, logLevel, "worst", n);
    }

    /// <summary>
    /// The win-rate-optimal tilt (BoNBoN theorem, THEORY.md §3): π*_c(y) ∝ p(y) exp(c · s(y)), s the win score; it
    /// maximises W(π) − KL(π‖p)/c, c ≥ 0.
    /// </summary>
    /// <exception cref="ArgumentException">c is not a finite number ≥ 0.</exception>
    public static DiscretePolicy WinRateOptimal(RewardDistribution distribution, double c)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.AtLeast(c, 0.0, nameof(c));
        var levels = distribution.Levels;
        var logTilt = new double[levels.Count];
        for (int l = 0; l < logTilt.Length; l++) logTilt[l] = c * levels.WinScore[l];
        return FromLevelTilt(distribution, logTilt, "optimal", c);
    }

    /// <summary>
    /// The RLHF / DPO tilt (THEORY.md §3): π_β(y) ∝ p(y) exp(r(y)/β), the maximiser of E_π[r] − β·KL(π‖p), β &gt; 0.
    /// </summary>
    /// <exception cref="ArgumentException">β is not a finite number &gt; 0.</exception>
    public static DiscretePolicy Rlhf(RewardDistribution distribution, double beta)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.Positive(beta, nameof(beta));
        var levels = distribution.Levels;
        // The tilt is (r − r_top)/β, r_top the top reward with mass: r/β alone overflows for |r| near 1e308 or a small β
        // (∞ − ∞ = NaN). Halving before subtracting keeps r − r_top in range; scaling by 2 is exact, and a result below
        // the double range is −∞, exactly weight 0.
        double top = double.NegativeInfinity;
        for (int l = 0; l < levels.Count; l++)
            if (levels.Mass[l] > 0.0) top = Math.Max(top, levels.Reward[l]);
        var logTilt = new double[levels.Count];
        for (int l = 0; l < logTilt.Length; l++) logTilt[l] = 2.0 * ((0.5 * levels.Reward[l] - 0.5 * top) / beta);
        return FromLevelTilt(distribution, logTilt, "rlhf", beta);
    }

    /// <summary>
    /// A user tilt π(y) ∝ p(y) exp(logWeight(y)), with logWeight given per outcome index (−∞ allowed for weight 0).
    /// </summary>
    /// <param name="distribution">The base.</param>
    /// <param name="logWeight">log f(y) for outcome index y; must not be NaN or +∞.</param>
    /// <param name="name">The policy's <see cref="DiscretePolicy.Kind"/>.</param>
    /// <exception cref="ArgumentException">A log-weight is NaN or +∞, or every outcome gets weight 0.</exception>
    public static DiscretePolicy Custom(RewardDistribution distribution, Func<int, double> logWeight, string name)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.NotNull(logWeight, nameof(logWeight));
        ArgumentChecks.NotNull(name, nameof(name));
        var p = distribution.ProbabilityArray;
        var logW = new double[p.Length];
        bool anyMass = false;
        for (int i = 0; i < p.Length; i++)
        {
            double w = logWeight(i);
            if (double.IsNaN(w) || double.IsPositiveInfinity(w))
                throw new ArgumentException($"logWeight({i}) = {ArgumentChecks.Show(w)}; it must be finite or -Infinity.", nameof(logWeight));
            logW[i] = p[i] > 0.0 ? Math.Log(p[i]) + w : double.NegativeInfinity;
            anyMass |= !double.IsNegativeInfinity(logW[i]);
        }
        if (!anyMass)
            throw new ArgumentException("logWeight gives weight 0 to every outcome with base mass; the tilt is undefined.", nameof(logWeight));
        return new DiscretePolicy(distribution, Softmax.Probabilities(logW), name, null);
    }

    /// <summary>π(y) = p(y)/q(level) · exp(logLevelMass(level)), renormalised (the level masses sum to 1 analytically).</summary>
    private static DiscretePolicy FromLevelMasses(RewardDistribution d, double[] logLevelMass, string kind, double parameter)
    {
        var levels = d.Levels;
        var p = d.ProbabilityArray;
        var logW = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            int l = levels.LevelOf[i];
            logW[i] = p[i] > 0.0 ? Math.Log(p[i]) - Math.Log(levels.Mass[l]) + logLevelMass[l] : double.NegativeInfinity;
        }
        return new DiscretePolicy(d, Softmax.Probabilities(logW), kind, parameter);
    }

    /// <summary>π(y) ∝ p(y) · exp(logTilt(level of y)).</summary>
    private static DiscretePolicy FromLevelTilt(RewardDistribution d, double[] logTilt, string kind, double parameter)
    {
        var levels = d.Levels;
        var p = d.ProbabilityArray;
        // Shift by the largest tilt before adding log p: a tilt of 3·10⁴ (β = 1e-4) would otherwise round log p away.
        double maxTilt = double.NegativeInfinity;
        for (int l = 0; l < logTilt.Length; l++)
            if (levels.Mass[l] > 0.0) maxTilt = Math.Max(maxTilt, logTilt[l]);
        var logW = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
            logW[i] = p[i] > 0.0 ? Math.Log(p[i]) + (logTilt[levels.LevelOf[i]] - maxTilt) : double.NegativeInfinity;
        return new DiscretePolicy(d, Softmax.Probabilities(logW), kind, parameter);
    }
}
