// vbon_vs_rlhf.csx: reproduces variational BoN's Pareto comparison (Amini, Vieira, Cotterell 2024; THEORY.md §3, §5):
// trained by policy gradient, does vBoN (reward log F(r), KL coefficient 1/(n−1)) reach a better expected-reward vs KL
// trade-off than RLHF (reward r, KL coefficient β; KL-regularised RLOO), and how close does each come to the analytic
// curves of its own target family (best-of-n and the RLHF tilt p·exp(r/β)) for the same base?
//
// On the enumerable toy language task (prompts × every response), with the pretrained TinyGpt base p (cached), it
// trains one copy of the base per method setting — vBoN at a few n, RLHF at a few β — and evaluates every trained
// network EXACTLY by enumeration: KL(π‖p), E_π[gold reward], win rate W(π) against the base. Beside them, the analytic
// frontiers of the same base: best-of-n for n from 1 to 64 and the RLHF tilt for β over a range, each the average over
// prompts of the per-prompt exact values at a common parameter (the policies these methods target).
//
// Makes, in the output folder (--out, default ./out/vbon_vs_rlhf):
//   vbon_vs_rlhf.csv        method, parameter (n or β), kl, expected_reward, win_rate, target_kl, target_expected_reward
//                           (target_*: the exact BoN_n / RLHF-tilt point each trained run aims at)
//   frontier_analytic.csv   family, parameter, kl, expected_reward, win_rate
//   vbon_vs_rlhf.html       expected gold reward vs KL: analytic curves as lines, trained networks as points
//
// Run:  alignlab run scripts/vbon_vs_rlhf.csx [--set quick=true] [--set steps=300] [--set n=2,4,8] [--set beta=2,1,0.5]
//         [--set seed=0]
//       quick: the CI-sized task (8 prompts × 256 responses, a 16-wide base) and 40 training steps per run.

bool quick = Arg("quick", false);
int steps = Arg("steps", quick ? 40 : 300);
long seed = Arg("seed", 0);
double[] ParseList(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
var ns = ParseList(Arg("n", quick ? "2,8" : "2,4,8")).Select(v => (int)v).ToArray();
var betas = ParseList(Arg("beta", quick ? "1,0.5" : "2,1,0.5"));

var taskConfig = quick ? new ToyTaskConfig(VocabSize: 4, PromptLength: 2, ResponseLength: 4, PromptCount: 8) : new ToyTaskConfig();
var baseConfig = quick ? new ToyBaseConfig(DModel: 16, Steps: 400) : new ToyBaseConfig();
var task = new ToyTask(taskConfig);
Log($"task: {taskConfig.PromptCount} prompts × {taskConfig.ResponseCount} responses; loading or pretraining the base (cached) …");
var reference = task.LoadOrPretrainBase(baseConfig);
foreach (var parameter in reference.parameters()) parameter.requires_grad_(false);
var sampling = new SamplingOptions(MaxLength: taskConfig.ResponseLength);
var prompts = Enumeration.BasePromptSet(task, reference);

// Analytic frontiers of the same base, averaged over prompts at a common parameter.
(double Kl, double Reward, double Win) Average(FrontierFamily family, double parameter)
{
    var points = prompts.Prompts.Select(d => Frontiers.Compute(d, family, [parameter])[0]).ToList();
    return (points.Average(p => p.Kl), points.Average(p => p.ExpectedReward), points.Average(p => p.WinRate));
}
var analytic = new List<IReadOnlyDictionary<string, object?>>();
var bonCurve = Enumerable.Range(0, 25).Select(j => Math.Pow(64, j / 24.0)).Select(n => (n, Average(FrontierFamily.BestOfN, n))).ToList();
var rlhfCurve = Enumerable.Range(0, 25).Select(j => 4.0 * Math.Pow(0.02, j / 24.0)).Select(b => (b, Average(FrontierFamily.Rlhf, b))).ToList();
foreach (var (family, curve) in new[] { ("BestOfN", bonCurve), ("Rlhf", rlhfCurve) })
    foreach (var (parameter, v) in curve)
        analytic.Add(new Dictionary<string, object?> { ["family"] = family, ["parameter"] = parameter, ["kl"] = v.Kl, ["expected_reward"] = v.Reward, ["win_rate"] = v.Win });
AtomicFile.WriteAllText(OutputPath("frontier_analytic.csv"), ResultTable.FromRows(analytic).ToCsv());

// Trained networks, one fresh copy of the base per setting, evaluated exactly.
var rows = new List<IReadOnlyDictionary<string, object?>>();
var marks = new List<ResultPoint>();
var trainer = new Trainer(new TrainerConfig(Steps: steps, LearningRate: 3e-3, WarmupSteps: Math.Min(10, steps / 4), LogEvery: Math.Max(1, steps / 4), Seed: seed));
void Train(string method, double parameter, Func<TinyGpt, IAlignmentMethod> build, FrontierFamily target)
{
    CancellationToken.ThrowIfCancellationRequested();
    var policy = task.LoadOrPretrainBase(baseConfig);
    var started = DateTime.UtcNow;
    trainer.Run(build(policy));
    var m = ExactEvaluation.Evaluate(task, policy, reference);
    var t = Average(target, parameter);
    rows.Add(new Dictionary<string, object?>
    {
        ["method"] = method, ["parameter"] = parameter, ["kl"] = m.Kl, ["expected_reward"] = m.ExpectedReward, ["win_rate"] = m.WinRate,
        ["target_kl"] = t.Kl, ["target_expected_reward"] = t.Reward,
    });
    string label = method == "vbon" ? $"n = {parameter}" : $"β = {parameter}";
    marks.Add(new ResultPoint(method == "vbon" ? "vBoN (trained, exact)" : "RLHF (trained, exact)", m.Kl, 0, m.ExpectedReward, 0, label));
    Log($"{method,-5} {label,-9} KL {m.Kl:F4} (target {t.Kl:F4})   E[r] {m.ExpectedReward:F4} (target {t.Reward:F4})   W {m.WinRate:F4}   [{(DateTime.UtcNow - started).TotalSeconds:F1} s]");
}
foreach (int n in ns)
    Train("vbon", n, p => new VbonMethod(p, reference, task.Prompts, task.GoldReward,
        new VbonConfig(sampling, N: n, BaseSamples: quick ? 64 : 256, SamplesPerPrompt: 4, BatchSize: 8, CdfSeed: seed)), FrontierFamily.BestOfN);
foreach (double beta in betas)
    Train("rlhf", beta, p => new RlhfMethod(p, reference, task.Prompts, task.GoldReward,
        new RlhfConfig(sampling, Beta: beta, SamplesPerPrompt: 4, BatchSize: 8)), FrontierFamily.Rlhf);

AtomicFile.WriteAllText(OutputPath("vbon_vs_rlhf.csv"), ResultTable.FromRows(rows).ToCsv());
FrontierChart.Create(FrontierMetric.ExpectedReward,
    [
        new FrontierCurve("best-of-n (analytic)", [.. bonCurve.Select(c => c.Item2.Kl)], [.. bonCurve.Select(c => c.Item2.Reward)]),
        new FrontierCurve("RLHF tilt (analytic)", [.. rlhfCurve.Select(c => c.Item2.Kl)], [.. rlhfCurve.Select(c => c.Item2.Reward)]),
    ],
    marks, "vBoN vs RLHF on the toy task: expected gold reward vs exact KL").Save(OutputPath("vbon_vs_rlhf.html"));
Log($"wrote {OutputPath("vbon_vs_rlhf.csv")}, frontier_analytic.csv, vbon_vs_rlhf.html");
