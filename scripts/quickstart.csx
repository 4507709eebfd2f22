// quickstart.csx: how close does best-of-n sampling come to the best possible trade-off between win rate and drift
// (KL) from the base policy, and where does the RLHF / DPO tilt sit? (BoNBoN §3; THEORY.md §2–§3)
//
// On a small discrete base policy (8 outcomes, two of them tied in reward) it computes, exactly, with the theory module:
//   - the best-of-n frontier (KL(π_n‖p), W(π_n)) as n grows,
//   - the win-rate-optimal frontier (the exponential tilt of the win score, which BoNBoN proves optimal),
//   - the RLHF / DPO frontier (the exponential tilt of the reward),
// and prints, for n = 2, 4, 8, 16, 32, the win rate the optimal tilt reaches at best-of-n's own KL (with ties,
// W(π_n) stays below the continuous-case n/(n+1)).
//
// Makes, in the output folder (--out, default ./out/quickstart):
//   frontier.csv   every frontier point: family, parameter (n, c or β), kl, win_rate, expected_reward
//   frontier.html  win rate against KL for the three families, best-of-n's integer n marked (plotly.js embedded: opens offline)
//
// Run:  alignlab run scripts/quickstart.csx [--set points=60] [--set reach=0.9] [--out DIR]
//       points: frontier points per family; reach: largest KL shown, as a fraction of the largest KL any tilt reaches.

int points = Arg("points", 60);
double reach = Arg("reach", 0.9);

// Base policy p and reward r over 8 outcomes; outcomes 1 and 2 tie, so the exact BoN formula with ties is exercised.
var distribution = new RewardDistribution(
    [0.30, 0.20, 0.15, 0.10, 0.10, 0.08, 0.05, 0.02],
    [0.0, 1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
double maxKl = reach * Frontiers.SupremumKl(distribution);
Log($"base policy: {distribution.Count} outcomes; frontiers up to KL = {maxKl:F3} nats ({points} points each)");

var families = new (FrontierFamily Family, string Name)[]
{
    (FrontierFamily.BestOfN, "best-of-n"),
    (FrontierFamily.Optimal, "optimal (win-score tilt)"),
    (FrontierFamily.Rlhf, "RLHF / DPO (reward tilt)"),
};
var frontiers = families.Select(f => (f.Name, Points: Frontiers.ForKlRange(distribution, f.Family, points, maxKl))).ToList();

int[] ns = [2, 4, 8, 16, 32];
var bonAtIntegerN = Frontiers.Compute(distribution, FrontierFamily.BestOfN, ns.Select(n => (double)n).ToList());

Log("");
Log("   n   KL(π_n‖p)   W(BoN_n)   n/(n+1)   W(optimal, same KL)   gap");
foreach (int n in ns)
{
    var c = Frontiers.OptimalAtBonKl(distribution, n);
    Log($"{n,4}   {c.Kl,9:F6}   {c.BonWinRate,8:F6}   {n / (n + 1.0),7:F5}   {c.OptimalWinRate,19:F6}   {c.Gap:0.0e+00}");
}

var rows = frontiers.SelectMany(f => f.Points).Concat(bonAtIntegerN)
    .Select(p => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
    {
        ["family"] = p.Family.ToString(),
        ["parameter"] = p.Parameter,
        ["kl"] = p.Kl,
        ["win_rate"] = p.WinRate,
        ["expected_reward"] = p.ExpectedReward,
    })
    .ToList();
string csv = Path.Combine(OutputDirectory, "frontier.csv");
AtomicFile.WriteAllText(csv, ResultTable.FromRows(rows).ToCsv());

var curves = frontiers.Select(f => new FrontierCurve(f.Name, [.. f.Points.Select(p => p.Kl)], [.. f.Points.Select(p => p.WinRate)])).ToList();
var marks = bonAtIntegerN.Select(p => new ResultPoint("best-of-n, integer n", p.Kl, 0, p.WinRate, 0, $"n = {p.Parameter}")).ToList();
string html = FrontierChart.Create(FrontierMetric.WinRate, curves, marks, "Best-of-n is essentially optimal: win rate vs KL (exact, 8 outcomes)")
    .Save(Path.Combine(OutputDirectory, "frontier.html"));

Log("");
Log($"wrote {csv}");
Log($"wrote {html}");
