// slic_demo.csx: trains the tutorial's new method (slic_method.csx, #load-ed below) on the toy language task and
// evaluates it EXACTLY beside exact best-of-n: where does a hinge on best/worst-of-n pairs land in (KL, win rate)?
// (docs/tutorial.md; THEORY.md §4, §9.)
//
// From the base TinyGpt p (pretrained once, cached) it trains SLiC with margin δ on best/worst-of-n pairs under the gold
// reward, then enumerates every response of every prompt to compute the trained policy's KL(π‖p), win rate W(π) against
// p and expected gold reward, and the same for the exact best-of-n policy π_n.
//
// Makes, in the output folder (--out, default ./out/slic_demo):
//   slic.csv   rows: policy (base, best-of-n, slic), kl, win_rate, expected_reward
//
// Expected output (for CI; --set quick=true runs in seconds once the quick base is cached):
//   exit code 0; slic.csv has a header "policy,kl,win_rate,expected_reward" and exactly 3 rows;
//   base: kl = 0 (|kl| < 1e-9) and win_rate = 0.5 (within 1e-9);
//   best-of-n: 0 < kl ≤ log n − (n−1)/n (1.2044 for n = 8) and 0.5 < win_rate ≤ n/(n+1) (0.8889) — Beirami's bounds;
//   slic: kl ≥ 0, 0 ≤ win_rate ≤ 1, and win_rate > 0.5 (training on best-vs-worst pairs improves on the base);
//   the last log line starts with "wrote ".
//
// Run:  alignlab run scripts/examples/slic_demo.csx [--set quick=true] [--set n=8] [--set margin=2] [--set steps=N] [--set seed=0]

#load "slic_method.csx"

bool quick = Arg("quick", false);
int n = Arg("n", 8);
double margin = Arg("margin", 2.0);
int steps = Arg("steps", quick ? 30 : 300);
long seed = Arg("seed", 0L);

// quick: a 4-symbol task with 4-symbol responses (256 per prompt), 8 prompts and a small base; else the default task.
var taskConfig = quick ? new ToyTaskConfig(VocabSize: 4, PromptLength: 2, ResponseLength: 4, PromptCount: 8) : new ToyTaskConfig();
var baseConfig = quick ? new ToyBaseConfig(DModel: 16, Steps: 400) : new ToyBaseConfig();
// Top-level `using var` is not allowed in C# scripts: disposed explicitly at the end.
var task = new ToyTask(taskConfig);
var reference = task.LoadOrPretrainBase(baseConfig);
reference.eval();
var policy = task.LoadOrPretrainBase(baseConfig);
Log($"task: {taskConfig.PromptCount} prompts, responses of {taskConfig.ResponseLength} symbols; SLiC δ = {margin}, n = {n}, {steps} steps");

// The method: pairs (best, worst) of n base samples by the gold reward, and the hinge loss from slic_method.csx.
var pairs = new BestWorstPairSource(reference, task.Prompts, task.GoldReward, n, new SamplingOptions(MaxLength: taskConfig.ResponseLength));
var method = new SlicMethod(policy, pairs, new SlicConfig(Margin: margin));
var trainer = new Trainer(new TrainerConfig(Steps: steps, LearningRate: 3e-3, WarmupSteps: Math.Min(4, steps - 1), LogEvery: Math.Max(1, steps / 5), Seed: seed));
policy.train();
var trained = trainer.Run(method, p => Log($"step {p.Step,4}  loss {p.Loss:F4}"));
policy.eval();

// Exact evaluation (every response enumerated) of the trained network and of exact best-of-n on the same base.
var slic = ExactEvaluation.Evaluate(task, policy, reference, task.OffTarget);
var prompts = Enumeration.BasePromptSet(task, reference);
IReadOnlyList<IReadOnlyList<double>> Tilted(Func<RewardDistribution, DiscretePolicy> tilt) =>
    [.. prompts.Prompts.Select(d => tilt(d).Probabilities)];
var basePolicy = Tilted(Tilting.Base);
var bon = Tilted(d => Tilting.BestOfN(d, n));
var rows = new (string Policy, double Kl, double WinRate, double Reward)[]
{
    ("base", Measures.Kl(prompts, basePolicy), Measures.WinRate(prompts, basePolicy), Measures.ExpectedReward(prompts, basePolicy)),
    ("best-of-n", Measures.Kl(prompts, bon), Measures.WinRate(prompts, bon), Measures.ExpectedReward(prompts, bon)),
    ("slic", slic.Kl, slic.WinRate, slic.ExpectedReward),
};
Log("");
Log("policy          KL(π‖p)   W(π)     E[r]");
foreach (var r in rows) Log($"{r.Policy,-12} {r.Kl,9:F4} {r.WinRate,8:F4} {r.Reward,8:F4}");

string csv = OutputPath("slic.csv");
AtomicFile.WriteAllText(csv, ResultTable.FromRows(rows.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
{
    ["policy"] = r.Policy, ["kl"] = r.Kl, ["win_rate"] = r.WinRate, ["expected_reward"] = r.Reward,
}).ToList()).ToCsv());
policy.Dispose();
reference.Dispose();
task.Dispose();
Log($"wrote {csv}");
