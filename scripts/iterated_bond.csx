// iterated_bond.csx: does iterated BOND with n = 2 reach best-of-2ᵗ after t rounds? (BOND / J-BOND, Sessa et al. 2024;
// THEORY.md §1 composition BoN_m(BoN_n(p)) = BoN_{mn}(p), §6.)
//
// On a tabular policy (one prompt, 6 outcomes, two tied rewards), so every number is exact:
//   - iterated BOND: round t trains the policy by BOND (Jeffreys β = 0.5, n = 2) towards BoN_2 of an anchor that is the
//     policy at the end of round t − 1 (round 1: the base). After each round it reports the exact KL(π_t‖p) and win rate
//     W(π_t), beside the theory's point BoN_{2ᵗ}(p) = Tilting.BestOfN composed t times, and KL(π_t‖BoN_{2ᵗ});
//   - J-BOND: the same with a continuously moving anchor (an exponential moving average of the policy's weights,
//     rate η = 1/steps by default, so the anchor lags the policy by about one round), reported after the same number of
//     steps per round; it has no target per round and is shown for comparison, not checked against BoN_{2ᵗ}.
//
// Makes, in the output folder (--out, default ./out/iterated_bond):
//   iterated_bond.csv    method, round, n_target (2ᵗ), kl, win_rate, theory_kl, theory_win_rate, kl_to_target
//   iterated_bond.html   win rate vs KL: the exact BoN frontier, the BoN_{2ᵗ} points and each round's trained policy
//
// Run:  alignlab run scripts/iterated_bond.csx [--set quick=true] [--set rounds=4] [--set steps=300] [--set seed=1] [--set ema=η]
//       quick: 3 rounds of 150 steps instead of 4 rounds of 300.

bool quick = Arg("quick", false);
int rounds = Arg("rounds", quick ? 3 : 4);
int steps = Arg("steps", quick ? 150 : 300);
long seed = Arg("seed", 1);
double emaRate = Arg("ema", 1.0 / steps);

double[] probabilities = [0.1, 0.2, 0.15, 0.25, 0.2, 0.1];
double[] rewards = [0.0, 1.0, 1.0, 2.0, 3.0, 4.0];
var distribution = new RewardDistribution(probabilities, rewards);
var sampling = new SamplingOptions(MaxLength: 1);
var prompts = torch.zeros(new long[] { 1, 1 }, torch.ScalarType.Int64);
var reward = new TabularReward([rewards]);

TabularPolicy Frozen(IReadOnlyList<double> p)
{
    var policy = TabularPolicy.FromProbabilities([p]);
    foreach (var parameter in policy.parameters()) parameter.requires_grad_(false);
    return policy;
}
BondConfig Bond(double anchorDecay) =>
    new(sampling, N: 2, JeffreysBeta: 0.5, AnchorDecay: anchorDecay, AnchorSamples: 256, SamplesPerPrompt: 16, BatchSize: 4);
TrainerConfig Training(long roundSeed) =>
    new(Steps: steps, LearningRate: 0.1, Schedule: LearningRateSchedule.Cosine, MinLearningRateRatio: 0.02, GradientClip: 0, LogEvery: steps, Seed: roundSeed);

var basePolicy = Frozen(probabilities);
var rows = new List<IReadOnlyDictionary<string, object?>>();
var marks = new List<ResultPoint>();
void Report(string method, int round, IReadOnlyList<double> trained)
{
    var target = Tilting.BestOfN(distribution, Math.Pow(2, round));
    double kl = Measures.Kl(distribution, trained), win = Measures.WinRate(distribution, trained);
    double toTarget = Measures.Kl(trained, target.Probabilities);
    rows.Add(new Dictionary<string, object?>
    {
        ["method"] = method, ["round"] = round, ["n_target"] = (int)Math.Pow(2, round), ["kl"] = kl, ["win_rate"] = win,
        ["theory_kl"] = Measures.Kl(target), ["theory_win_rate"] = Measures.WinRate(target), ["kl_to_target"] = toTarget,
    });
    marks.Add(new ResultPoint(method, kl, 0, win, 0, $"round {round}"));
    Log($"{method,-14} round {round}: KL {kl:F4} (BoN_{Math.Pow(2, round)}: {Measures.Kl(target):F4})   W {win:F4} (BoN: {Measures.WinRate(target):F4})   KL(π‖BoN_2^t) {toTarget:0.0e+00}");
}

// Iterated BOND: a fixed anchor per round, moved to the trained policy between rounds.
using (var policy = TabularPolicy.FromProbabilities([probabilities]))
{
    for (int round = 1; round <= rounds; round++)
    {
        CancellationToken.ThrowIfCancellationRequested();
        using var anchor = Frozen(policy.Probabilities()[0]);
        new Trainer(Training(seed + round)).Run(new BondMethod(policy, anchor, basePolicy, prompts, reward, Bond(0.0)));
        Report("iterated-bond", round, policy.Probabilities()[0]);
    }
}

// J-BOND: one moving EMA anchor, reported after each block of the same number of steps.
using (var policy = TabularPolicy.FromProbabilities([probabilities]))
using (var anchor = Frozen(probabilities))
{
    var method = new BondMethod(policy, anchor, basePolicy, prompts, reward, Bond(emaRate));
    for (int round = 1; round <= rounds; round++)
    {
        CancellationToken.ThrowIfCancellationRequested();
        new Trainer(Training(seed + round) with { Schedule = LearningRateSchedule.Constant, LearningRate = 0.05 }).Run(method);
        Report("j-bond-ema", round, policy.Probabilities()[0]);
    }
}

for (int round = 1; round <= rounds; round++)
{
    var target = Tilting.BestOfN(distribution, Math.Pow(2, round));
    marks.Add(new ResultPoint("theory BoN_2^t", Measures.Kl(target), 0, Measures.WinRate(target), 0, $"n = {Math.Pow(2, round)}"));
}
AtomicFile.WriteAllText(OutputPath("iterated_bond.csv"), ResultTable.FromRows(rows).ToCsv());
var frontier = Frontiers.ForKlRange(distribution, FrontierFamily.BestOfN, 40, 0.95 * Frontiers.SupremumKl(distribution));
FrontierChart.Create(FrontierMetric.WinRate, [new FrontierCurve("best-of-n (exact)", [.. frontier.Select(p => p.Kl)], [.. frontier.Select(p => p.WinRate)])],
    marks, "Iterated BOND (n = 2) reaches best-of-2ᵗ: win rate vs KL (exact, tabular)").Save(OutputPath("iterated_bond.html"));
Log($"wrote {OutputPath("iterated_bond.csv")} and iterated_bond.html");
