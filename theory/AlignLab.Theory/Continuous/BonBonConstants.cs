using MathNet.Numerics;

namespace AlignLab.Theory;

/// <summary>BoNBoN's constants (THEORY.md §4): the expected best–worst log-ratio gap of π_n and the matching IPO β.</summary>
public static class BonBonConstants
{
    /// <summary>h*_n = (n − 1)·H_{n−1} (H_m the m-th harmonic number), the target of the IPO term; h*_1 = 0.</summary>
    /// <exception cref="ArgumentException">n &lt; 1.</exception>
    public static double TargetGap(int n)
    {
        if (n < 1) throw new ArgumentException($"n = {n} must be >= 1.", nameof(n));
        return (n - 1) * SpecialFunctions.Harmonic(n - 1);
    }

    /// <summary>β*_n = 1 / (2 h*_n) = 1 / (2 (n − 1) H_{n−1}), the IPO parameter whose optimum has π_n's gap.</summary>
    /// <exception cref="ArgumentException">n &lt; 2 (h*_1 = 0 has no finite β).</exception>
    public static double IpoBeta(int n)
    {
        if (n < 2) throw new ArgumentException($"n = {n} must be >= 2 (h*_1 = 0 gives no finite IPO beta).", nameof(n));
        return 1.0 / (2.0 * TargetGap(n));
    }
}
