namespace AlignLab.Theory;

/// <summary>
/// Accurate elementary functions the BCL lacks (its LogP1/ExpM1 are plain log(1+x), exp(x)−1). Log-space
/// normalisation is <see cref="Softmax"/>.
/// </summary>
internal static class LogMath
{
    /// <summary>log(1 + x), accurate for tiny x (Goldberg's trick: the rounding of 1 + x cancels).</summary>
    public static double Log1p(double x)
    {
        double u = 1.0 + x;
        if (u == 1.0) return x;
        if (double.IsInfinity(u) || u <= 0.0) return Math.Log(u);
        return Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>exp(x) − 1, accurate for tiny x (Kahan's trick).</summary>
    public static double Expm1(double x)
    {
        if (Math.Abs(x) < 1e-5) return x + 0.5 * x * x + x * x * x / 6.0;
        double u = Math.Exp(x);
        if (u == 1.0) return x;
        double um1 = u - 1.0;
        if (um1 == -1.0) return -1.0;
        if (double.IsPositiveInfinity(u)) return u;
        return um1 * x / Math.Log(u);
    }

    /// <summary>log(1 − exp(x)) for x ≤ 0 (Mächler's split at −log 2).</summary>
    public static double Log1mExp(double x)
    {
        if (x == 0.0) return double.NegativeInfinity;
        return x > -Math.Log(2.0) ? Math.Log(-Expm1(x)) : Log1p(-Math.Exp(x));
    }
}
