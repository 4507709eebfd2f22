using System.Globalization;
using System.Text.Json;
using AlignLab.Dsl.Plots;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl;

/// <summary>
/// What <see cref="BonBonFidelity.Run"/> found: one <see cref="BonBonFidelityRow"/> per arm (over seeds), every network's
/// <see cref="BonBonFidelityRun"/>, the α rule's values, the exact BoN_n point and the best-of-n frontier.
/// </summary>
public sealed record BonBonFidelityResult(
    BonBonFidelitySettings Settings, IReadOnlyList<BonBonFidelityRow> Rows, IReadOnlyList<BonBonFidelityRun> Runs,
    IReadOnlyList<BonBonAlphaRule> AlphaRules, double BonNKl, double BonNWinRate, IReadOnlyList<double> FrontierKl,
    IReadOnlyList<double> FrontierWinRate)
{
    /// <summary>The row named <paramref name="name"/> (<see cref="BonBonFidelityArm.Name"/>).</summary>
    public BonBonFidelityRow Row(string name) =>
        Rows.FirstOrDefault(r => r.Name == name) ?? throw new ArgumentException($"No row '{name}'; rows: {string.Join("; ", Rows.Select(r => r.Name))}.", nameof(name));

    /// <summary>The faithful BoNBoN row (<see cref="BonBonFidelityArm.IsFaithful"/>) with the smallest mean excess KL, or null.</summary>
    public BonBonFidelityRow? BestFaithfulBonBon => Rows.Where(r => r.Arm.IsFaithful && double.IsFinite(r.ExcessKl)).MinBy(r => r.ExcessKl);

    /// <summary>The DPO or IPO row with the smallest mean excess KL, or null.</summary>
    public BonBonFidelityRow? BestDpoOrIpo => Rows.Where(r => r.Arm.Kind is "DPO" or "IPO" && double.IsFinite(r.ExcessKl)).MinBy(r => r.ExcessKl);

    /// <summary>The table: one line per arm (means and standard deviations over seeds).</summary>
    public ResultTable Table() => ResultTable.FromRows([.. Rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
    {
        ["method"] = r.Name,
        ["kind"] = r.Arm.Kind,
        ["protocol"] = r.Arm.Protocol.ToString(),
        ["variant"] = r.Arm.Variant?.ToString(),
        ["alpha_rule"] = r.Arm.AlphaRule,
        ["alpha"] = Finite(r.Alpha),
        ["beta"] = Finite(r.Arm.Beta),
        ["faithful"] = r.Arm.IsFaithful,
        ["seeds"] = r.Seeds,
        ["kl"] = Finite(r.Kl),
        ["kl_sd"] = Finite(r.KlSd),
        ["win_rate"] = Finite(r.WinRate),
        ["win_rate_sd"] = Finite(r.WinRateSd),
        ["off_target"] = Finite(r.OffTarget),
        ["excess_kl"] = Finite(r.ExcessKl),
        ["excess_kl_sd"] = Finite(r.ExcessKlSd),
        ["distance_to_bon_n"] = Finite(r.DistanceToBonN),
    })]);

    /// <summary>
    /// The frontier chart of one protocol: the best-of-n frontier, the BoN_n point, every arm's mean end point (±1
    /// standard error over seeds) and, as dotted paths, the recorded training trajectories (first seed).
    /// </summary>
    public PlotlyChart Chart(BonBonProtocol protocol)
    {
        var rows = Rows.Where(r => r.Arm.Protocol == protocol).ToList();
        var klMax = 1.15 * Math.Max(rows.Select(r => r.Kl).Where(double.IsFinite).DefaultIfEmpty(0).Max(),
            Runs.Where(r => r.Arm.Protocol == protocol).SelectMany(r => r.Trajectory).Select(t => t.Kl).DefaultIfEmpty(BonNKl).Max());
        var shown = FrontierKl.Select((kl, i) => (kl, w: FrontierWinRate[i])).Where(p => p.kl <= Math.Max(klMax, 1.5 * BonNKl)).ToList();
        var curves = new List<FrontierCurve> { new("best-of-n frontier (exact)", [.. shown.Select(p => p.kl)], [.. shown.Select(p => p.w)]) };
        var paths = Runs.Where(r => r.Arm.Protocol == protocol && r.Trajectory.Count > 1)
            .Select(r => new FrontierCurve($"path: {r.Arm.Name} (seed {r.Seed})", [.. r.Trajectory.Select(t => t.Kl)], [.. r.Trajectory.Select(t => t.WinRate)]))
            .ToList();
        var points = new List<ResultPoint> { new($"BoN_{Settings.N}", BonNKl, 0, BonNWinRate, 0, $"BoN_{Settings.N} (exact)") };
        points.AddRange(rows.Select(r => new ResultPoint(r.Arm.Kind == "BoNBoN" ? $"BoNBoN {r.Arm.Variant}" : r.Arm.Kind,
            r.Kl, r.KlSd / Math.Sqrt(r.Seeds), r.WinRate, r.WinRateSd / Math.Sqrt(r.Seeds), r.Name)));
        return FrontierChart.Create(FrontierMetric.WinRate, curves, points,
            $"bonbon_fidelity [{protocol}]: win rate vs KL (exact, toy task; end points ± SE over {Settings.EffectiveSeeds.Count} seeds)", paths);
    }

    /// <summary>
    /// Writes into <paramref name="folder"/> (atomically): table.csv and table.json (per arm), runs.csv (per network),
    /// trajectories.csv, alpha_rule.csv, config.json (the settings) and frontier_fresh.html / frontier_offline.html.
    /// </summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Directory.CreateDirectory(folder);
        var table = Table();
        AtomicFile.WriteAllText(Path.Combine(folder, "table.csv"), table.ToCsv());
        AtomicFile.WriteAllText(Path.Combine(folder, "table.json"), table.ToJson());
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        AtomicFile.WriteAllText(Path.Combine(folder, "runs.csv"), "method,seed,alpha,kl,win_rate,off_target,excess_kl,distance_to_bon_n\n" + string.Concat(
            Runs.Select(r => $"\"{r.Arm.Name}\",{r.Seed},{F(r.Alpha)},{F(r.Kl)},{F(r.WinRate)},{F(r.OffTarget)},{F(r.ExcessKl)},{F(r.DistanceToBonN)}\n")));
        AtomicFile.WriteAllText(Path.Combine(folder, "trajectories.csv"), "method,seed,step,kl,win_rate\n" + string.Concat(
            Runs.SelectMany(r => r.Trajectory.Select(t => $"\"{r.Arm.Name}\",{r.Seed},{t.Step},{F(t.Kl)},{F(t.WinRate)}\n"))));
        AtomicFile.WriteAllText(Path.Combine(folder, "alpha_rule.csv"), "seed,protocol,variant,sft_at_reference,alpha\n" + string.Concat(
            AlphaRules.Select(a => $"{a.Seed},{a.Protocol},{a.Variant},{F(a.SftAtReference)},{F(a.Alpha)}\n")));
        AtomicFile.WriteAllText(Path.Combine(folder, "config.json"), JsonSerializer.Serialize(Settings with { Arms = Settings.Arms ?? BonBonFidelity.DefaultArms },
            new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        foreach (var protocol in Rows.Select(r => r.Arm.Protocol).Distinct())
            AtomicFile.WriteAllText(Path.Combine(folder, $"frontier_{protocol.ToString().ToLowerInvariant()}.html"), Chart(protocol).ToHtml());
    }

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;
}
