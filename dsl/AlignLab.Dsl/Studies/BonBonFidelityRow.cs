namespace AlignLab.Dsl;

/// <summary>
/// One arm of <see cref="BonBonFidelity"/> summarised over its seeds: means and sample standard deviations (0 for one
/// seed) of KL, win rate, off-target and excess KL over the BoN frontier, the mean distance to BoN_n and the mean α used.
/// </summary>
public sealed record BonBonFidelityRow(
    BonBonFidelityArm Arm, int Seeds, double Alpha, double Kl, double KlSd, double WinRate, double WinRateSd, double OffTarget,
    double ExcessKl, double ExcessKlSd, double DistanceToBonN)
{
    /// <summary>The row's name (<see cref="BonBonFidelityArm.Name"/>).</summary>
    public string Name => Arm.Name;

    /// <summary>Summarises the runs of one arm.</summary>
    public static BonBonFidelityRow Of(IReadOnlyList<BonBonFidelityRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0) throw new ArgumentException("runs is empty.", nameof(runs));
        static double Mean(IEnumerable<double> xs) => xs.Average();
        static double Sd(IReadOnlyList<double> xs)
        {
            if (xs.Count < 2) return 0;
            var m = xs.Average();
            return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Count - 1));
        }
        var kl = runs.Select(r => r.Kl).ToList();
        var win = runs.Select(r => r.WinRate).ToList();
        var excess = runs.Select(r => r.ExcessKl).ToList();
        return new BonBonFidelityRow(runs[0].Arm, runs.Count, Mean(runs.Select(r => r.Alpha)), Mean(kl), Sd(kl), Mean(win), Sd(win),
            Mean(runs.Select(r => r.OffTarget)), Mean(excess), Sd(excess), Mean(runs.Select(r => r.DistanceToBonN)));
    }
}
