namespace AlignLab.Theory;

/// <summary>
/// The reward levels of a finite distribution, computed once by sorting: per level its reward, mass q, F, F⁻ and win
/// score, plus the logarithms the tiltings need, each computed from whichever of the prefix or suffix sums is accurate
/// (F near 1 from the mass above, F near 0 from the mass below) so that Fⁿ stays exact for n up to 10⁶ and beyond.
/// </summary>
internal sealed class RewardLevels
{
    public RewardLevels(double[] probabilities, double[] rewards)
    {
        int k = rewards.Length;
        var order = new int[k];
        var keys = (double[])rewards.Clone();
        for (int i = 0; i < k; i++) order[i] = i;
        Array.Sort(keys, order);

        LevelOf = new int[k];
        var reward = new List<double>();
        var mass = new List<double>();
        for (int j = 0; j < k; j++)
        {
            if (j == 0 || keys[j] != keys[j - 1])
            {
                reward.Add(keys[j]);
                mass.Add(0.0);
            }
            mass[^1] += probabilities[order[j]];
            LevelOf[order[j]] = reward.Count - 1;
        }

        Count = reward.Count;
        Reward = reward.ToArray();
        Mass = mass.ToArray();
        var below = CumulativeExclusive(Mass, fromTop: false);
        var above = CumulativeExclusive(Mass, fromTop: true);

        StrictCdf = below;
        Cdf = new double[Count];
        WinScore = new double[Count];
        LogCdf = new double[Count];
        LogUpper = new double[Count];
        LogBonRatio = new double[Count];
        LogWorstRatio = new double[Count];
        for (int l = 0; l < Count; l++)
        {
            double q = Mass[l];
            double lowSide = below[l] + q;
            double f = lowSide <= 0.5 ? lowSide : 1.0 - above[l];
            Cdf[l] = f;
            WinScore[l] = below[l] + 0.5 * q;
            LogCdf[l] = lowSide <= 0.5 ? Math.Log(lowSide) : LogMath.Log1p(-above[l]);
            double highSide = above[l] + q;
            double u = highSide <= 0.5 ? highSide : 1.0 - below[l];
            LogUpper[l] = highSide <= 0.5 ? Math.Log(highSide) : LogMath.Log1p(-below[l]);
            LogBonRatio[l] = f > 0.0 ? LogMath.Log1p(-Math.Min(1.0, q / f)) : double.NegativeInfinity;
            LogWorstRatio[l] = u > 0.0 ? LogMath.Log1p(-Math.Min(1.0, q / u)) : double.NegativeInfinity;
        }
    }

    public int Count { get; }

    /// <summary>Per outcome, its level index.</summary>
    public int[] LevelOf { get; }

    public double[] Reward { get; }

    /// <summary>q per level.</summary>
    public double[] Mass { get; }

    /// <summary>F per level.</summary>
    public double[] Cdf { get; }

    /// <summary>F⁻ per level.</summary>
    public double[] StrictCdf { get; }

    /// <summary>s = F⁻ + ½q per level.</summary>
    public double[] WinScore { get; }

    /// <summary>log F per level.</summary>
    public double[] LogCdf { get; }

    /// <summary>log(1 − F⁻) per level.</summary>
    public double[] LogUpper { get; }

    /// <summary>log(F⁻/F) = log(1 − q/F) per level.</summary>
    public double[] LogBonRatio { get; }

    /// <summary>log((1 − F)/(1 − F⁻)) = log(1 − q/(1 − F⁻)) per level.</summary>
    public double[] LogWorstRatio { get; }

    /// <summary>log of the best-of-n level mass Fⁿ − F⁻ⁿ = Fⁿ (1 − (F⁻/F)ⁿ), in log space.</summary>
    public double LogBestOfNMass(int level, double n) =>
        Mass[level] == 0.0 ? double.NegativeInfinity : n * LogCdf[level] + LogMath.Log1mExp(n * LogBonRatio[level]);

    /// <summary>log of the worst-of-n level mass (1 − F⁻)ⁿ − (1 − F)ⁿ, in log space.</summary>
    public double LogWorstOfNMass(int level, double n) =>
        Mass[level] == 0.0 ? double.NegativeInfinity : n * LogUpper[level] + LogMath.Log1mExp(n * LogWorstRatio[level]);

    private static double[] CumulativeExclusive(double[] mass, bool fromTop)
    {
        var result = new double[mass.Length];
        double sum = 0.0, carry = 0.0;
        for (int j = 0; j < mass.Length; j++)
        {
            int l = fromTop ? mass.Length - 1 - j : j;
            result[l] = sum;
            double y = mass[l] - carry;
            double t = sum + y;
            carry = (t - sum) - y;
            sum = t;
        }
        return result;
    }
}
