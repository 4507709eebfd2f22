using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AlignLab.Theory;

/// <summary>
/// The positive-mass reward levels of a distribution as flat arrays (log F, log q, s, r), built once, on which every
/// family member's KL, win rate and expected reward are sums over levels: within a level a tilting's ratio π/p is
/// constant, so with level masses m_l, KL = Σ_l m_l log(m_l/q_l), W = Σ_l m_l s_l and E[r] = Σ_l m_l r_l.
/// </summary>
internal sealed class LevelTable
{
    /// <summary>Levels whose best-of-n CDF Fⁿ is below this are skipped: together they hold less than this much mass.</summary>
    private const double NegligibleMass = 1e-20;

    /// <summary>Levels per block: their powers (4 KiB) stay in L1 cache between computing and using them.</summary>
    private const int Block = 512;

    private readonly double[] logCdf;
    private readonly double[] logMass;
    private readonly double[] winScore;
    private readonly double[] reward;

    public LevelTable(RewardLevels levels)
    {
        int count = 0;
        for (int l = 0; l < levels.Count; l++) if (levels.Mass[l] > 0.0) count++;
        logCdf = new double[count];
        logMass = new double[count];
        winScore = new double[count];
        reward = new double[count];
        int j = 0;
        for (int l = 0; l < levels.Count; l++)
        {
            if (levels.Mass[l] == 0.0) continue;
            logCdf[j] = levels.LogCdf[l];
            logMass[j] = Math.Log(levels.Mass[l]);
            winScore[j] = levels.WinScore[l];
            reward[j] = levels.Reward[l];
            j++;
        }
    }

    public int Count => logCdf.Length;

    /// <summary>
    /// Half the reward range with mass, (r_top − r_bottom)/2 (halved so that rewards of ±1.8e308 do not overflow; 1 for a
    /// single level): the scale on which RLHF's 1/β is solved, since KL depends on the rewards only through (r − r_top)/β.
    /// </summary>
    public double HalfRewardRange => Count > 1 ? 0.5 * reward[^1] - 0.5 * reward[0] : 1.0;

    /// <summary>
    /// −log q of the top level: the supremum of KL over all three families (each tends to the top level); exactly 0 for
    /// a single level, whose mass may round to 1 − 1e-16.
    /// </summary>
    public double SupremumKl => Count == 1 ? 0.0 : -logMass[^1];

    /// <summary>
    /// KL, W and E[r] of best-of-n from level masses m_l = F_lⁿ − F_{l−1}ⁿ: one vectorised exp and log per level, in
    /// blocks whose powers F_lⁿ stay in L1 cache between the two passes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public (double Kl, double WinRate, double ExpectedReward) BestOfN(double n)
    {
        int start = FirstLevelAtLeast(Math.Log(NegligibleMass) / n);
        var a = new double[Block + 1];
        a[Block] = start == 0 ? 0.0 : Math.Exp(n * logCdf[start - 1]);
        double kl = 0.0, w = 0.0, e = 0.0;
        for (int b = start; b < Count; b += Block)
        {
            int len = Math.Min(Block, Count - b);
            a[0] = a[Block];
            Powers(b, len, n, a);
            var (blockKl, blockW, blockE) = Accumulate(b, len, a);
            kl += blockKl;
            w += blockW;
            e += blockE;
            a[Block] = a[len];
        }
        return (Math.Max(0.0, kl), w, e);
    }

    /// <summary>a[1 + j] = exp(n · log F_{b+j}) = F_{b+j}ⁿ for j &lt; len.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Powers(int b, int len, double n, double[] a)
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vn = Vector256.Create(n);
            for (; j <= len - 4; j += 4) Vector256.Exp(Vector256.LoadUnsafe(ref logCdf[b + j]) * vn).StoreUnsafe(ref a[1 + j]);
        }
        for (; j < len; j++) a[1 + j] = Math.Exp(n * logCdf[b + j]);
    }

    /// <summary>Σ m (log m − log q), Σ m s and Σ m r over one block, m_j = a[1 + j] − a[j].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private (double Kl, double WinRate, double ExpectedReward) Accumulate(int b, int len, double[] a)
    {
        double kl = 0.0, w = 0.0, e = 0.0;
        int j = 0;
        // A level with m = 0 (both powers underflowed) contributes nothing; its log is meaningless, hence the mask.
if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> vkl = Vector256<double>.Zero, vw = vkl, ve = vkl;
            for (; j <= len - 4; j += 4)
            {
                var m = Vector256.LoadUnsafe(ref a[1 + j]) - Vector256.LoadUnsafe(ref a[j]);
                var term = m * (VectorLog.Log(m) - Vector256.LoadUnsafe(ref logMass[b + j]));
                vkl += Vector256.ConditionalSelect(Vector256.GreaterThan(m, Vector256<double>.Zero), term, Vector256<double>.Zero);
                vw += m * Vector256.LoadUnsafe(ref winScore[b + j]);
                ve += m * Vector256.LoadUnsafe(ref reward[b + j]);
            }
            (kl, w, e) = (Vector256.Sum(vkl), Vector256.Sum(vw), Vector256.Sum(ve));
        }
        for (; j < len; j++)
        {
            double m = a[1 + j] - a[j];
            if (m > 0.0) kl += m * (Math.Log(m) - logMass[b + j]);
            w += m * winScore[b + j];
            e += m * reward[b + j];
        }
        return (kl, w, e);
    }

    /// <summary>KL, W and E[r] of the exponential tilt m_l ∝ q_l exp(θ t_l), t = s (optimal) or r (RLHF).</summary>
    public (double Kl, double WinRate, double ExpectedReward) ExponentialTilt(double theta, bool ofWinScore)
    {
        var t = ofWinScore ? winScore : reward;
        double tMax = double.NegativeInfinity;
        for (int l = 0; l < Count; l++) tMax = Math.Max(tMax, t[l]);
        // Tilts relative to the top level, θ(t_l − t_max) ≤ 0: exact at the top even for θ = 10⁴, where θ·t would round.
        // Computed as 2·θ·(t_l/2 − t_max/2), bit for bit the same in range, so that rewards of ±1e308 do not make the
        // difference −∞ (and θ = 0 times it NaN).
        double Tilt(int l) => 2.0 * (theta * (0.5 * t[l] - 0.5 * tMax));
        double max = double.NegativeInfinity;
        for (int l = 0; l < Count; l++) max = Math.Max(max, logMass[l] + Tilt(l));
        double z = 0.0;
        for (int l = 0; l < Count; l++) z += Math.Exp(logMass[l] + Tilt(l) - max);
        double logZ = max + Math.Log(z);
        double kl = 0.0, w = 0.0, e = 0.0;
        for (int l = 0; l < Count; l++)
        {
            double logRatio = Tilt(l) - logZ;
            double m = Math.Exp(logMass[l] + logRatio);
            if (m > 0.0) kl += m * logRatio;
            w += m * winScore[l];
            e += m * reward[l];
        }
        return (Math.Max(0.0, kl), w, e);
    }

    /// <summary>One plain pass reading the same four arrays as <see cref="BestOfN"/>, vectorised the same way (the benchmark's yardstick).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double PlainPass()
    {
        double sum = 0.0;
        int j = 0;
if (Vector256.IsHardwareAccelerated)
        {
            var acc = Vector256<double>.Zero;
            for (; j <= Count - 4; j += 4)
                acc += Vector256.LoadUnsafe(ref logCdf[j]) * Vector256.LoadUnsafe(ref winScore[j])
                     + Vector256.LoadUnsafe(ref logMass[j]) * Vector256.LoadUnsafe(ref reward[j]);
            sum = Vector256.Sum(acc);
        }
        for (; j < Count; j++) sum += logCdf[j] * winScore[j] + logMass[j] * reward[j];
        return sum;
    }

    /// <summary>The first level with log F ≥ threshold (log F is non-decreasing), by binary search.</summary>
    private int FirstLevelAtLeast(double threshold)
    {
        int lo = 0, hi = Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (logCdf[mid] < threshold) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
