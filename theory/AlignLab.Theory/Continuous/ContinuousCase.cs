using MathNet.Numerics.RootFinding;

namespace AlignLab.Theory;

/// <summary>
/// Closed forms for a continuous reward (no ties), where the win score u = F(r(y)) is Uniform(0, 1) under the base
/// (THEORY.md §2–3), and the comparison of those forms with the exact values of a finite distribution.
/// </summary>
public static class ContinuousCase
{
    /// <summary>W(π_n) = n/(n + 1), the continuous-case win rate of best-of-n (THEORY.md §2), real n ≥ 1.</summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static double BonWinRate(double n)
    {
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        return n / (n + 1.0);
    }

    /// <summary>
    /// KL(π_n‖p) = log n − (n − 1)/n, the continuous-case KL of best-of-n (THEORY.md §2); an upper bound for any finite
    /// distribution (Beirami et al.).
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static double BonKl(double n)
    {
        ArgumentChecks.AtLeast(n, 1.0, nameof(n));
        return Math.Log(n) - (n - 1.0) / n;
    }

    /// <summary>
    /// W(π*_c) = 1/(1 − e^{−c}) − 1/c, the continuous-case win rate of the optimal tilt (THEORY.md §3); ½ at c = 0.
    /// </summary>
    /// <exception cref="ArgumentException">c is not a finite number ≥ 0.</exception>
    public static double OptimalWinRate(double c)
    {
        ArgumentChecks.AtLeast(c, 0.0, nameof(c));
        // Below 1e-2 the two terms cancel; the Taylor series ½ + c/12 − c³/720 + c⁵/30240 is exact to rounding there.
        if (c < 1e-2) return 0.5 + c / 12.0 - c * c * c / 720.0 + Math.Pow(c, 5) / 30240.0;
        return 1.0 / -LogMath.Expm1(-c) - 1.0 / c;
    }

    /// <summary>
    /// KL(π*_c‖p) = log(c/(e^c − 1)) + c·W(π*_c), the continuous-case KL of the optimal tilt (THEORY.md §3), evaluated
    /// as log c − log(1 − e^{−c}) − 1 + c e^{−c}/(1 − e^{−c}) so that c = 10⁴ does not overflow.
    /// </summary>
    /// <exception cref="ArgumentException">c is not a finite number ≥ 0.</exception>
    public static double OptimalKl(double c)
    {
        ArgumentChecks.AtLeast(c, 0.0, nameof(c));
        // Below 1e-2 the closed form cancels to O(c²); its series c²/24 − c⁴/960 + c⁶/36288 is exact to rounding there.
        if (c < 1e-2) return c * c / 24.0 - Math.Pow(c, 4) / 960.0 + Math.Pow(c, 6) / 36288.0;
        double oneMinusExp = -LogMath.Expm1(-c);
        return Math.Log(c) - Math.Log(oneMinusExp) - 1.0 + c * Math.Exp(-c) / oneMinusExp;
    }

    /// <summary>
    /// The c ≥ 0 with KL(π*_c‖p) = <paramref name="kl"/> in the continuous case, by bracketing and Brent's method
    /// (KL(π*_c‖p) increases from 0 without bound in c).
    /// </summary>
    /// <exception cref="ArgumentException">kl is not a finite number ≥ 0, or so large that c would exceed 1e300.</exception>
    public static double OptimalTiltForKl(double kl)
    {
        ArgumentChecks.AtLeast(kl, 0.0, nameof(kl));
        if (kl == 0.0) return 0.0;
        double hi = 1.0;
        while (OptimalKl(hi) < kl)
        {
            hi *= 2.0;
            if (hi > 1e300)
                throw new ArgumentException(
                    $"kl = {ArgumentChecks.Show(kl)} needs c beyond 1e300 (KL(c) ≈ log c − 1); ask for a smaller KL.", nameof(kl));
        }
        return Brent.FindRoot(c => OptimalKl(c) - kl, 0.0, hi, 1e-13, 200);
    }

    /// <summary>
    /// BoN against the optimal tilt at equal KL in the continuous case (the table of THEORY.md §3): KL = log n − (n−1)/n,
    /// W(BoN_n) = n/(n+1), the c with KL(π*_c‖p) = KL and W(π*_c).
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static BonOptimalComparison OptimalAtBonKl(double n)
    {
        double kl = BonKl(n);
        double c = OptimalTiltForKl(kl);
        double bon = BonWinRate(n);
        double optimal = OptimalWinRate(c);
        return new BonOptimalComparison(n, kl, bon, c, optimal, optimal - bon);
    }

    /// <summary>
    /// Beirami et al.'s observation made concrete: the exact KL(π_n‖p) and W(π_n) of best-of-n on a finite distribution
    /// next to the continuous-case values log n − (n−1)/n and n/(n+1), which bound them from above.
    /// </summary>
    /// <exception cref="ArgumentException">n is not a finite number ≥ 1.</exception>
    public static BeiramiBound Beirami(RewardDistribution distribution, double n)
    {
        var bon = Tilting.BestOfN(distribution, n);
        return new BeiramiBound(n, Measures.Kl(bon), BonKl(n), Measures.WinRate(bon), BonWinRate(n));
    }
}
