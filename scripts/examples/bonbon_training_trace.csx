// bonbon_training_trace.csx: where does BoNBoN training go on its way to the objective's optimum? (docs/scripts.md,
// "bonbon_vs_baselines"; THEORY.md §4, §9.)
//
// Trains BoNBoN (α, n, loss form: default the paper's squared form, whose collapse docs/scripts.md traces) from the
// base TinyGpt on the toy language task with fresh best/worst-of-n pairs and, every k
// steps, evaluates the network EXACTLY (every response of every prompt enumerated, prompt-averaged):
//   kl, win_rate          KL(π‖p) and W(π) against the base (gold reward)
//   winner_log_ratio      E_{π_n}[log π/p]: how the network treats typical best-of-n winners (π_n itself: KL(π_n‖p) > 0)
//   loser_log_ratio       E over the law of the worst of n of log π/p
//   max_probability       the largest response probability per prompt (mode collapse shows here)
//   objective             the exact expected BoNBoN loss (theory module), to compare with its optimum (squared forms
//                         only: the logistic forms' exact objective is too large for 7,776 responses; NaN for them)
//
// Makes, in the output folder (--out, default ./out/bonbon_training_trace):
//   trace.csv   step, kl, win_rate, winner_log_ratio, loser_log_ratio, max_probability, objective (step 0 = the base)
//
// Expected output (for CI; --set quick=true runs in seconds once the base is cached):
//   exit code 0; trace.csv has the header above and one row per evaluation, the first at step 0 with kl = 0,
//   win_rate = 0.5, both log ratios 0 and objective = α·E_{π_n}[−log p] + (1−α)·h*_n² (the base's own loss);
//   the objective at the last step is below its step-0 value; the last log line starts with "wrote ".
//
// Run:  alignlab run scripts/examples/bonbon_training_trace.csx [--set quick=true] [--set alpha=0] [--set n=8]
//                                                              [--set steps=300] [--set every=25] [--set lr=0.001] [--set seed=0]
//                                                              [--set variant=SquaredSum|LogisticSum|SquaredMean|LogisticMean]

bool quick = Arg("quick", false);
int n = Arg("n", 8);
double alpha = Arg("alpha", 0.0);
int steps = Arg("steps", quick ? 10 : 300);
int every = Arg("every", quick ? 5 : 25);
double lr = Arg("lr", 1e-3);
long seed = Arg("seed", 0L);
var variantText = Arg("variant", nameof(BonBonVariant.SquaredSum));
var variant = Enum.TryParse<BonBonVariant>(variantText, ignoreCase: true, out var v) && Enum.IsDefined(v) ? v
    : throw new ArgumentException($"--set variant must be one of {string.Join(", ", Enum.GetNames<BonBonVariant>())} (got '{variantText}').");
if (steps < 1 || every < 1) throw new ArgumentException($"steps and every must be >= 1 (got steps={steps}, every={every}).");

var task = new ToyTask(new ToyTaskConfig());
var reference = task.LoadOrPretrainBase(new ToyBaseConfig());
reference.eval();
var prompts = Enumeration.BasePromptSet(task, reference);
var policy = task.LoadOrPretrainBase(new ToyBaseConfig());
var sampling = new SamplingOptions(MaxLength: task.Config.ResponseLength);
var method = new BonBonMethod(policy, new BestWorstPairSource(reference, task.Prompts, task.GoldReward, n, sampling), new BonBonConfig(n, alpha, Variant: variant));

// Exact laws per prompt: the best of n is π_n; the worst of n of distinct rewards has P(worst = i) = (1−F⁻ᵢ)ⁿ − (1−Fᵢ)ⁿ.
var objectives = variant.IsLogistic() ? null
    : prompts.Prompts.Select(d => new BonBonObjective(d, n, alpha, variant, responseLength: task.Config.ResponseLength)).ToList();
var bestLaw = prompts.Prompts.Select(d => Tilting.BestOfN(d, n).Probabilities.ToArray()).ToList();
var worstLaw = prompts.Prompts.Select(d => Enumerable.Range(0, d.Count).Select(i => Math.Pow(1 - d.StrictCdf[i], n) - Math.Pow(1 - d.Cdf[i], n)).ToArray()).ToList();

var rows = new List<string> { "step,kl,win_rate,winner_log_ratio,loser_log_ratio,max_probability,objective" };
Dictionary<string, double> Evaluate(int step)
{
    policy.eval();
    double kl = 0, win = 0, winner = 0, loser = 0, top = 0, objective = 0;
    for (int x = 0; x < prompts.Count; x++)
    {
        var q = Enumeration.Probabilities(task, policy, x);
        var d = prompts.Prompts[x];
        var logQ = q.Select(v => Math.Log(Math.Max(v, 1e-300))).ToArray();
        for (int i = 0; i < q.Length; i++)
        {
            double h = logQ[i] - Math.Log(d.Probabilities[i]);
            if (q[i] > 0) kl += q[i] * h;
            winner += bestLaw[x][i] * h;
            loser += worstLaw[x][i] * h;
        }
        win += Measures.WinRate(d, q);
        top += q.Max();
        objective += objectives?[x].Value(logQ) ?? double.NaN;
    }
    double P = prompts.Count;
    rows.Add(string.Join(",", new[] { step, kl / P, win / P, winner / P, loser / P, top / P, objective / P }.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
    Log($"step {step,5}: KL {kl / P:F3}  W {win / P:F4}  winner log-ratio {winner / P:F3}  loser {loser / P:F3}  max prob {top / P:F3}  objective {objective / P:F3}");
    policy.train();
    return new() { ["exact_kl"] = kl / P, ["exact_objective"] = objective / P };
}

Evaluate(0);
policy.train();
new Trainer(new TrainerConfig(Steps: steps, LearningRate: lr, WarmupSteps: Math.Min(10, steps - 1), LogEvery: every, EvalEvery: every, Seed: seed))
    .Run(method, evaluate: Evaluate);
var path = Path.Combine(OutputDirectory, "trace.csv");
AtomicFile.WriteAllText(path, string.Join("\n", rows) + "\n");
Log($"wrote {path}");
