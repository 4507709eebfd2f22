// essentially_optimal.csx: reproduces BoNBoN's "best-of-n is essentially optimal" (Gui, Gârbacea, Veitch 2024, §3;
// THEORY.md §2–§3). Among all policies that drift at most KL d from the base, the exponential tilt of the win score
// maximises the win rate; how much does best-of-n, which spends the same KL, leave on the table — and how far below
// both is the RLHF / DPO tilt of the reward?
//
// Two cases, all exact (theory module, no sampling):
//   - continuous: the closed forms W(π_n) = n/(n+1), KL(π_n‖p) = log n − (n−1)/n and the optimal tilt's
//     (KL(π*_c‖p), W(π*_c)); the RLHF tilt needs a reward scale, so it is computed for a standard-normal reward on a
//     fine grid of equally likely outcomes (the grid's BoN and optimal frontiers lie on the closed-form curves);
//   - discrete with ties: 6 outcomes, two tied pairs, where W(π_n) < n/(n+1) and KL(π_n‖p) < log n − (n−1)/n.
//
// Makes, in the output folder (--out, default ./out/essentially_optimal):
//   table.csv                  THEORY.md §3's table: n, kl, win_rate_bon, win_rate_optimal, c, gap (continuous case)
//   frontier_continuous.csv    case, family, parameter, kl, win_rate: closed-form BoN and optimal curves + grid RLHF
//   frontier_ties.csv          the same three families on the discrete distribution with ties
//   frontier_continuous.html   win rate vs KL, continuous case, BoN's integer n marked
//   frontier_ties.html         win rate vs KL, discrete case with ties
//
// Run:  alignlab run scripts/essentially_optimal.csx [--set quick=true] [--set points=80] [--set grid=4000]
//       quick: 12 points per curve and a 400-outcome grid instead of 80 points and 4,000 outcomes.

bool quick = Arg("quick", false);
int points = Arg("points", quick ? 12 : 80);
int grid = Arg("grid", quick ? 400 : 4000);
int[] tableN = [2, 4, 8, 16, 64];
double maxN = 64;

// THEORY.md §3 table (continuous case).
var table = tableN.Select(n => ContinuousCase.OptimalAtBonKl(n)).ToList();
Log("   n   KL(π_n‖p)   W(BoN_n)   W(optimal, same KL)        c      gap");
foreach (var c in table)
    Log($"{c.N,4}   {c.Kl,9:F6}   {c.BonWinRate,8:F6}   {c.OptimalWinRate,19:F6}   {c.OptimalTilt,7:F4}   {c.Gap:0.0e+00}");
AtomicFile.WriteAllText(OutputPath("table.csv"), ResultTable.FromRows(table.Select(c => Row(
    ("n", c.N), ("kl", c.Kl), ("win_rate_bon", c.BonWinRate), ("win_rate_optimal", c.OptimalWinRate), ("c", c.OptimalTilt), ("gap", c.Gap)))
    .ToList()).ToCsv());

// Continuous case: closed forms for BoN (n from 1 to 64, log-spaced) and the optimal tilt (c up to the c of BoN_64's KL).
double maxKl = ContinuousCase.BonKl(maxN);
double maxC = ContinuousCase.OptimalTiltForKl(maxKl);
var bonN = Enumerable.Range(0, points).Select(j => Math.Pow(maxN, j / (points - 1.0))).ToList();
var optimalC = Enumerable.Range(1, points).Select(j => maxC * j / points).ToList();
var continuous = new List<(string Family, double Parameter, double Kl, double WinRate)>();
continuous.AddRange(bonN.Select(n => ("BestOfN", n, ContinuousCase.BonKl(n), ContinuousCase.BonWinRate(n))));
continuous.AddRange(optimalC.Select(c => ("Optimal", c, ContinuousCase.OptimalKl(c), ContinuousCase.OptimalWinRate(c))));
// RLHF tilt of a standard-normal reward: equally likely grid points at the normal quantiles (i + ½)/grid.
var gaussian = new RewardDistribution(
    Enumerable.Repeat(1.0 / grid, grid).ToArray(),
    Enumerable.Range(0, grid).Select(i => MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, (i + 0.5) / grid)).ToArray());
continuous.AddRange(Frontiers.ForKlRange(gaussian, FrontierFamily.Rlhf, points, maxKl)
    .Select(p => ("Rlhf", p.Parameter, p.Kl, p.WinRate)));
WriteFrontier("frontier_continuous.csv", "continuous", continuous);

// Discrete case with ties.
var ties = new RewardDistribution([0.25, 0.20, 0.20, 0.15, 0.10, 0.10], [0.0, 1.0, 1.0, 2.0, 3.0, 3.0]);
double tiesMaxKl = 0.9 * Frontiers.SupremumKl(ties);
var discrete = new[] { FrontierFamily.BestOfN, FrontierFamily.Optimal, FrontierFamily.Rlhf }
    .SelectMany(f => Frontiers.ForKlRange(ties, f, points, tiesMaxKl))
    .Select(p => (p.Family.ToString(), p.Parameter, p.Kl, p.WinRate)).ToList();
WriteFrontier("frontier_ties.csv", "ties", discrete);
Log("");
Log($"discrete case with ties: KL up to {tiesMaxKl:F4} (0.9 × the supremum −log q_top = {Frontiers.SupremumKl(ties):F4})");
foreach (int n in new[] { 2, 4, 8 })
{
    var c = Frontiers.OptimalAtBonKl(ties, n);
    Log($"  n = {n}: KL {c.Kl:F4} (continuous {ContinuousCase.BonKl(n):F4}), W(BoN) {c.BonWinRate:F4} (n/(n+1) = {n / (n + 1.0):F4}), W(optimal) {c.OptimalWinRate:F4}, gap {c.Gap:0.0e+00}");
}

string[] names = ["best-of-n", "optimal (win-score tilt)", "RLHF / DPO (reward tilt)"];
string[] families = ["BestOfN", "Optimal", "Rlhf"];
PlotlyChart Chart(List<(string Family, double Parameter, double Kl, double WinRate)> rows, IReadOnlyList<ResultPoint> marks, string title) =>
    FrontierChart.Create(FrontierMetric.WinRate,
        families.Select((f, i) => new FrontierCurve(names[i],
            rows.Where(r => r.Family == f).Select(r => r.Kl).ToList(), rows.Where(r => r.Family == f).Select(r => r.WinRate).ToList())).ToList(),
        marks, title);
var continuousMarks = table.Select(c => new ResultPoint("best-of-n, integer n", c.Kl, 0, c.BonWinRate, 0, $"n = {c.N}")).ToList();
var tiesMarks = Frontiers.Compute(ties, FrontierFamily.BestOfN, [2, 4, 8])
    .Select(p => new ResultPoint("best-of-n, integer n", p.Kl, 0, p.WinRate, 0, $"n = {p.Parameter}")).ToList();
Chart(continuous, continuousMarks, "BoN is essentially optimal: win rate vs KL (continuous case)").Save(OutputPath("frontier_continuous.html"));
Chart(discrete, tiesMarks, "BoN vs optimal vs RLHF with ties (6 outcomes)").Save(OutputPath("frontier_ties.html"));
Log("");
Log($"wrote {OutputDirectory}: table.csv, frontier_continuous.csv/.html, frontier_ties.csv/.html");

static IReadOnlyDictionary<string, object?> Row(params (string Key, object? Value)[] cells) =>
    cells.ToDictionary(c => c.Key, c => c.Value);

void WriteFrontier(string file, string caseName, List<(string Family, double Parameter, double Kl, double WinRate)> rows) =>
    AtomicFile.WriteAllText(OutputPath(file), ResultTable.FromRows(rows.Select(r => Row(
        ("case", caseName), ("family", r.Family), ("parameter", r.Parameter), ("kl", r.Kl), ("win_rate", r.WinRate))).ToList()).ToCsv());
