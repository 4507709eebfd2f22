// overoptimisation.csx: does best-of-n on a learned PROXY reward over-optimise it (Goodhart's law), and does penalising
// the proxy's Bayesian uncertainty (a Laplace-approximated reward model, r̃ = r* − k·σ) mitigate it?
// (Bayesian reward models, Yang et al. 2024; THEORY.md §1, §2, §7; issue 5 item 5.)
//
// On the enumerable toy language task it pretrains (or loads) the base policy p, trains a proxy reward model by
// Bradley–Terry on a few noisy preference pairs labelled by the task's gold reward, fits its Laplace approximation, and
// then, for n = 1, 2, 4, …, 256 and EXACTLY (every response enumerated), computes best-of-n on
//   - the gold reward itself (the reference: what BoN could achieve),
//   - the proxy (r*),
//   - the penalised proxies r* − k·σ for each k,
// as π_n = BoN tilt of the base probabilities by the ranking reward (ties exact), and reports per n, averaged over
// prompts: KL(π_n‖p), E_{π_n}[gold reward], E_{π_n}[proxy reward] and the gold win rate W(π_n).
//
// Makes, in the output folder (--out, default ./out/overoptimisation):
//   overoptimisation.csv      reward, penalty_weight, n, kl, gold_reward, proxy_reward, gold_win_rate
//   overoptimisation.html     gold (solid) and proxy (dashed) reward against n, one colour per ranking reward
//   overoptimisation-kl.html  the same against KL(π_n‖p)
//
// Run:  alignlab run scripts/overoptimisation.csx [--set quick=true] [--set seed=0] [--set pairs=16] [--set noise=0.2]
//         [--set steps=400] [--set subset=LastLayer|Lora] [--set structure=Kfac|Diagonal] [--set k=1,3]
//       quick: the CI-sized task (8 prompts × 256 responses) instead of the default (32 prompts × 7,776 responses).

bool quick = Arg("quick", false);
var defaults = quick ? OverOptimisationConfig.Quick : new OverOptimisationConfig();
var config = defaults with
{
    Seed = Arg("seed", (int)defaults.Seed),
    PairsPerPrompt = Arg("pairs", defaults.PairsPerPrompt),
    LabelNoise = Arg("noise", defaults.LabelNoise),
    RewardModelSteps = Arg("steps", defaults.RewardModelSteps),
    Laplace = defaults.Laplace with
    {
        Subset = Enum.Parse<LaplaceSubset>(Arg("subset", defaults.Laplace.Subset.ToString()), ignoreCase: true),
        Structure = Enum.Parse<LaplaceStructure>(Arg("structure", defaults.Laplace.Structure.ToString()), ignoreCase: true),
    },
    PenaltyWeights = Arg("k", string.Join(",", defaults.PenaltyWeights.Select(k => k.ToString(CultureInfo.InvariantCulture))))
        .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k => double.Parse(k, CultureInfo.InvariantCulture)).ToArray(),
};
Log($"task: {config.Task.PromptCount} prompts × {config.Task.ResponseCount} responses; proxy from {config.PairsPerPrompt} pairs per prompt, label noise {config.LabelNoise}");

var result = OverOptimisation.Run(config, Log);

Log("");
Log("ranking reward          n    KL(π‖p)   gold reward   proxy reward   gold win rate");
foreach (var p in result.Points)
{
    var name = p.Reward == "proxy-penalised" ? $"proxy − {p.PenaltyWeight:g3}·σ" : p.Reward;
    Log($"{name,-18} {p.N,6} {p.Kl,10:F4} {p.GoldReward,13:F4} {p.ProxyReward,14:F4} {p.GoldWinRate,15:F4}");
}

string csv = Path.Combine(OutputDirectory, "overoptimisation.csv");
AtomicFile.WriteAllText(csv, result.ToCsv());

string Label(OverOptimisationPoint p) => p.Reward switch
{
    "gold" => "BoN on gold reward",
    "proxy" => "BoN on proxy",
    _ => $"BoN on proxy − {p.PenaltyWeight:g3}·σ",
};
var groups = result.Points.GroupBy(p => (p.Reward, p.PenaltyWeight)).Select(g => g.OrderBy(p => p.N).ToArray()).ToList();
OveroptimisationCurve Curve(OverOptimisationPoint[] g, Func<OverOptimisationPoint, double> x) =>
    new(Label(g[0]), [.. g.Select(x)], [.. g.Select(p => p.GoldReward)], [.. g.Select(p => p.ProxyReward)]);
string title = $"Reward over-optimisation: best-of-n on a Laplace proxy ({config.Laplace.Subset}, {config.Laplace.Structure}; exact)";
string htmlN = OveroptimisationChart.Create(OveroptimisationAxis.N, groups.Select(g => Curve(g, p => p.N)).ToList(), title)
    .Save(Path.Combine(OutputDirectory, "overoptimisation.html"));
string htmlKl = OveroptimisationChart.Create(OveroptimisationAxis.Kl, groups.Select(g => Curve(g, p => p.Kl)).ToList(), title)
    .Save(Path.Combine(OutputDirectory, "overoptimisation-kl.html"));

Log("");
Log($"proxy accuracy: train {result.TrainAccuracy:F3}, held-out {result.HeldOutAccuracy:F3}; prior precision λ = {result.PriorPrecision:G4}");
Log($"wrote {csv}");
Log($"wrote {htmlN}");
Log($"wrote {htmlKl}");
