// bonbon_vs_baselines.csx: does BoNBoN land near the best-of-n point BoN_n, and closer to the best-of-n frontier than
// DPO / IPO at equal win rate? (BoNBoN, Gui et al. 2024, §5 and Fig. 1 on a toy task; THEORY.md §1–§6; issue 5 item 4.)
//
// On the enumerable toy language task it loads (or pretrains and caches) the base TinyGpt p and trains, from p, on the
// gold reward and with the same seed (so every pair method sees the same best/worst-of-n pairs):
//   BoNBoN (the paper's squared form) at several α, SFT-BoN, IPO-BoN (β*_n), DPO and IPO at two β, vBoN, J-BOND and RLHF;
// then computes EXACTLY (every response of every prompt enumerated, averaged over prompts) each trained network's
// KL(π‖p), win rate W(π) against p, expected reward and off-target attribute, beside the exact best-of-n policy π_n and
// the analytic best-of-n, win-rate-optimal and RLHF frontiers of the same base.
// It prints the table and, for the question, each method's distance to the BoN_n point and its excess KL over the
// best-of-n frontier at its own win rate (KL − KL_BoN(W): how much more drift it pays for the same win rate).
// For the methods with an exact tabular objective (SFT-BoN, BoNBoN, IPO-BoN, IPO on the BoN pairs, vBoN) it also gives
// that objective's exact value at the trained network and at π_n, and (unless optima=false) the objective's exact
// optimum over all policies: where training should land with infinite data and a perfect optimiser. A trained objective
// far above the optimum is an optimisation failure, not a property of the objective (docs/scripts.md has the numbers).
// longSteps > 0 adds a BoNBoN α=0.1 row trained that many steps, to see how training approaches the optimum.
//
// Makes, in the output folder (--out, default ./out/bonbon_vs_baselines):
//   table.csv, table.json  one row per method: kl, win_rate, expected_reward, off_target, BoN_n point, frontier comparisons
//   frontier.html          win rate vs KL: analytic frontiers as lines, every method as a point (plotly.js embedded)
// and a run folder in the run store ($ALIGNLAB_RUNS or ./runs): config, seed, versions, metrics.jsonl, table, chart.
//
// Run:  alignlab run scripts/bonbon_vs_baselines.csx [--set quick=true] [--set seed=0] [--set n=8] [--set steps=N] [--set lr=X]
//                                                   [--set optima=false] [--set longSteps=1500]
//       quick: the CI setting (fewer steps, smaller batches, no optima); steps / lr override every method's training
//       steps / learning rate; optima: compute the exact optima (about a minute per row on 2 cores).

bool quick = Arg("quick", false);
long seed = Arg("seed", 0L);
int n = Arg("n", 8);
bool optima = Arg("optima", !quick);
int longSteps = Arg("longSteps", 0);
var scale = quick ? ExperimentScale.Quick : ExperimentScale.Default;
if (HasArg("steps")) scale = scale.WithSteps(Arg("steps", scale.Steps));
if (HasArg("lr")) scale = scale.WithLearningRate(Arg("lr", scale.LearningRate));

var result = Experiment.Named("bonbon-vs-baselines")
    .On(Tasks.ToyLanguage(seed: 0))
    .Compare(Methods.Base(), Methods.BestOfN(n))
    .Compare(Methods.BonBon(n: n, variant: BonBonVariant.SquaredSum).Sweep(alpha: [0.01, 0.1, 0.5]))
    .Compare(Methods.SftBon(n), Methods.IpoBon(n))
    .Compare(Methods.Dpo(n: n).Sweep(beta: [0.05, 0.5]))
    .Compare(Methods.Ipo(n: n).Sweep(beta: [0.05, 0.5]))
    .Compare(Methods.Vbon(n), Methods.JBond(n: 2), Methods.Rlhf(beta: 0.5))
    .Compare(longSteps > 0 ? [Methods.BonBon(n: n, alpha: 0.1, variant: BonBonVariant.SquaredSum).WithSteps(longSteps).Named($"BoNBoN(n={n}, α=0.1, {longSteps} steps)")] : [])
    .Evaluate(Metrics.WinRate, Metrics.Kl, Metrics.Reward, Metrics.OffTarget)
    .WithFrontiers(Frontier.BestOfN, Frontier.Optimal, Frontier.Rlhf)
    .WithScale(scale)
    .WithSeed(seed)
    .WithExactOptima(optima)
    .Run();

result.Print(Log);
result.Save(OutputDirectory);

var bonN = result.Row($"best-of-n(n={n})");
Log("");
Log($"BoN_{n} point (exact): KL = {bonN.Kl:F4}, W = {bonN.WinRate:F4}");
Log("method                          KL       W     dist to BoN_n   excess KL at same W");
foreach (var row in result.Rows.Where(r => r.Spec.IsTrained))
    Log($"{row.Method,-30} {row.Kl,7:F4} {row.WinRate,7:F4}   {row.DistanceToBonN,10:F4}   {row.ExcessKl,12:F4}");

Log("");
Log("exact training objective (THEORY.md §9): at the trained network, at π_n, and its optimum over all policies");
Log("method                          trained      at π_n     optimum   optimum KL  optimum W");
foreach (var row in result.Rows.Where(r => double.IsFinite(r.Objective)))
    Log($"{row.Method,-30} {row.Objective,9:F4} {row.ObjectiveAtBonN,11:F4} {row.OptimumObjective,11:F4} {row.OptimumKl,12:F4} {row.OptimumWinRate,10:F4}");

double Best(IEnumerable<ExperimentRow> rows, Func<ExperimentRow, double> value) =>
    rows.Select(value).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Min();
var bonbon = result.Rows.Where(r => r.Spec.Kind == MethodKind.BonBon).ToList();
var pairBaselines = result.Rows.Where(r => r.Spec.Kind is MethodKind.Dpo or MethodKind.Ipo or MethodKind.IpoBon).ToList();
Log("");
Log($"closest BoNBoN to the BoN_{n} point: distance {Best(bonbon, r => r.DistanceToBonN):F4}; closest DPO/IPO: {Best(pairBaselines, r => r.DistanceToBonN):F4}");
Log($"smallest excess KL at equal win rate: BoNBoN {Best(bonbon, r => r.ExcessKl):F4}; DPO/IPO {Best(pairBaselines, r => r.ExcessKl):F4}");
Log($"wrote {OutputDirectory} (table.csv, table.json, frontier.html) and run {result.RunId}");
