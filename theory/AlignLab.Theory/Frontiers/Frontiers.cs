using MathNet.Numerics.RootFinding;

namespace AlignLab.Theory;

/// <summary>
/// Exact frontiers (THEORY.md §3): the curve (KL(π_θ‖p), W(π_θ), E_θ[r]) of a tilting family as its parameter θ sweeps,
/// for given parameters or for a range of target KLs. Each point costs one pass over the reward levels (sorted once).
/// </summary>
public static class Frontiers
{
    /// <summary>The frontier points of <paramref name="family"/> at the given parameters (n ≥ 1, c ≥ 0 or β &gt; 0), in order.</summary>
    /// <exception cref="ArgumentException">A parameter is outside its family's range (index and value named).</exception>
    public static IReadOnlyList<FrontierPoint> Compute(
        RewardDistribution distribution, FrontierFamily family, IReadOnlyList<double> parameters)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.NotNull(parameters, nameof(parameters));
        for (int i = 0; i < parameters.Count; i++) CheckParameter(family, parameters[i], $"parameters[{i}]", nameof(parameters));
        var table = distribution.Table;
        var points = new FrontierPoint[parameters.Count];
        for (int i = 0; i < points.Length; i++) points[i] = Point(table, family, parameters[i]);
        return points;
    }

    /// <summary>
    /// <paramref name="points"/> frontier points at the evenly spaced KL targets maxKl·j/points, j = 1..points, each
    /// family parameter found by bracketing and Brent's method on the KL (in log n for best-of-n, in 1/β for RLHF).
    /// maxKl must lie below −log q_top (q_top the mass of the highest reward), the KL every family tends to.
    /// </summary>
    /// <exception cref="ArgumentException">points &lt; 1, or maxKl is not in (0, −log q_top).</exception>
    public static IReadOnlyList<FrontierPoint> ForKlRange(
        RewardDistribution distribution, FrontierFamily family, int points, double maxKl)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (points < 1) throw new ArgumentException($"points = {points} must be >= 1.", nameof(points));
        var table = distribution.Table;
        double supremum = table.SupremumKl;
        if (!(maxKl > 0.0 && maxKl < supremum))
            throw new ArgumentException(
                $"maxKl = {ArgumentChecks.Show(maxKl)} must lie in (0, {ArgumentChecks.Show(supremum)}), below -log of the top " +
                "reward level's mass, the largest KL any family reaches.", nameof(maxKl));
        var result = new FrontierPoint[points];
        for (int j = 1; j <= points; j++)
            result[j - 1] = Point(table, family, SolveParameter(table, family, maxKl * j / points));
        return result;
    }

    /// <summary>
    /// The largest KL(π‖p) a frontier can approach: −log q_top, the KL of the point mass on the top reward level, which
    /// every family tends to (n → ∞, c → ∞, β → 0); 0 when all rewards are equal.
    /// </summary>
    public static double SupremumKl(RewardDistribution distribution)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        return distribution.Table.SupremumKl;
    }

    /// <summary>
    /// The optimal tilt's win rate at the KL of best-of-n, and the gap, in one call (BoNBoN §3 on a finite distribution):
    /// KL = KL(π_n‖p), c with KL(π*_c‖p) = KL, W(π_n), W(π*_c) and W(π*_c) − W(π_n) ≥ 0.
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static BonOptimalComparison OptimalAtBonKl(RewardDistribution distribution, double n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        var table = distribution.Table;
        var bon = Point(table, FrontierFamily.BestOfN, n);
        // With a single reward level every tilt is the base; rounding can leave a KL of ~1e-16 that no c reaches.
        double c = table.Count > 1 && bon.Kl > 0.0 ? SolveParameter(table, FrontierFamily.Optimal, bon.Kl) : 0.0;
        var optimal = Point(table, FrontierFamily.Optimal, c);
        return new BonOptimalComparison(n, bon.Kl, bon.WinRate, c, optimal.WinRate, optimal.WinRate - bon.WinRate);
    }

    private static FrontierPoint Point(LevelTable table, FrontierFamily family, double parameter)
    {
        var (kl, w, e) = family switch
        {
            FrontierFamily.BestOfN => table.BestOfN(parameter),
            FrontierFamily.Optimal => table.ExponentialTilt(parameter, ofWinScore: true),
            _ => table.ExponentialTilt(1.0 / parameter, ofWinScore: false),
        };
        return new FrontierPoint(family, parameter, kl, w, e);
    }

    /// <summary>The parameter whose KL is <paramref name="kl"/>; KL increases in log n, in c and in 1/β.</summary>
    private static double SolveParameter(LevelTable table, FrontierFamily family, double kl)
    {
        // RLHF is solved in u = (half reward range)/β, which is scale-free: Brent's absolute tolerance then means the same
        // for rewards of size 1 and 1e300, where 1/β itself would be far below it.
        double scale = table.HalfRewardRange;
        Func<double, double> klOf = family switch
        {
            FrontierFamily.BestOfN => t => table.BestOfN(Math.Exp(t)).Kl,
            FrontierFamily.Optimal => c => table.ExponentialTilt(c, ofWinScore: true).Kl,
            _ => u => table.ExponentialTilt(u / scale, ofWinScore: false).Kl,
        };
        double hi = 1.0;
        while (klOf(hi) < kl)
        {
            hi *= 2.0;
            if (hi > 1e300 || (family == FrontierFamily.BestOfN && hi > 700.0))
                throw new ArgumentException(
                    $"KL = {ArgumentChecks.Show(kl)} is not reached by the {family} family in double precision; ask for a smaller KL.",
                    nameof(kl));
        }
        double root = Brent.FindRoot(x => klOf(x) - kl, 0.0, hi, 1e-12, 200);
        if (family == FrontierFamily.Rlhf && !double.IsFinite(scale / root))
            throw new ArgumentException(
                $"KL = {ArgumentChecks.Show(kl)} needs an RLHF beta of {ArgumentChecks.Show(scale)}/{ArgumentChecks.Show(root)}, beyond the " +
                "double range (the computation overflows for rewards this far apart); rescale the rewards or ask for a larger KL.", nameof(kl));
        return family switch
        {
            FrontierFamily.BestOfN => Math.Exp(root),
            FrontierFamily.Optimal => root,
            _ => scale / root,
        };
    }

    private static void CheckParameter(FrontierFamily family, double value, string label, string name)
    {
        bool ok = family switch
        {
            FrontierFamily.BestOfN => double.IsFinite(value) && value >= 1.0,
            FrontierFamily.Optimal => double.IsFinite(value) && value >= 0.0,
            FrontierFamily.Rlhf => double.IsFinite(value) && value > 0.0,
            _ => throw new ArgumentException($"family = {family} is not a frontier family.", nameof(family)),
        };
        if (!ok)
        {
            string range = family switch
            {
                FrontierFamily.BestOfN => "n must be a finite number >= 1",
                FrontierFamily.Optimal => "c must be a finite number >= 0",
                _ => "beta must be a finite number > 0",
            };
            throw new ArgumentException($"{label} = {ArgumentChecks.Show(value)}: {range}.", name);
        }
    }
}
