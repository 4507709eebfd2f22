// bonbon_fidelity.csx: BoNBoN as its authors ran it. Does a setting faithful to the paper (Gui et al. 2024) or to the
// authors' code put BoNBoN near the BoN_n point and below DPO / IPO in excess KL over the best-of-n frontier, as the
// paper's headline claims? (issue 12; THEORY.md §4; docs/scripts.md, "bonbon_fidelity", has the verdict.)
//
// On the enumerable toy task it loads (or pretrains and caches) the base TinyGpt p and, for every seed, trains from p:
//   BoNBoN in each loss form (BonBonVariant: SquaredSum = the paper's, LogisticSum = the authors' trainers.py, and both
//     with length-averaged log-probs), at α = the equal-terms rule's (computed per seed from the protocol's pairs and
//     printed), α = 0.005 (the authors' run, logistic forms) and α = 0.1 (AlignLab's earlier study);
//   SFT-BoN (BoNBoN with α = 1), DPO and IPO (β = 0.05) on the same pairs;
// each in two protocols: Fresh (best/worst-of-n pairs of p drawn afresh every step, AdamW, clip 1) and Offline (the
// authors': one fixed best/worst-of-n dataset drawn once from p at a sampling temperature, E epochs of shuffled batches
// of 64, RMSprop with 10 % linear warm-up, clip 10). Every network is evaluated EXACTLY (every response of every prompt
// enumerated, prompt-averaged): KL(π‖p), win rate W(π) against p, E_π[off-target], excess KL over the best-of-n frontier
// at its win rate (KL − KL_BoN(W)) and distance to the BoN_n point; for the first seed also at k, 4k, 16k, … steps
// and the last (the path).
// The table gives each row's mean and standard deviation over the seeds.
//
// Makes, in the output folder (--out, default ./out/bonbon_fidelity):
//   table.csv, table.json   one row per method × protocol: alpha, kl (±sd), win_rate (±sd), off_target, excess_kl (±sd), ...
//   runs.csv                one row per trained network (method, seed)
//   trajectories.csv        the recorded (step, KL, W) paths, step 0 = the base
//   alpha_rule.csv          the α rule per seed, protocol and variant (SFT term at the reference, α)
//   config.json             the settings
//   frontier_fresh.html, frontier_offline.html   win rate vs KL: BoN frontier, BoN_n, end points (±SE), dotted paths
//
// Run:  alignlab run scripts/bonbon_fidelity.csx [--set quick=true] [--set seeds=0,1,2] [--set steps=300] [--set epochs=3]
//                                               [--set pairsPerPrompt=200] [--set temperature=0.8] [--set every=25]
//                                               [--set freshLr=0.001] [--set offlineLr=0.001]
//       quick: the CI setting (BonBonFidelitySettings.Quick: 60 steps, a 640-pair dataset, end points only, the rows
//       the verdict compares); steps: fresh-protocol steps; every: k of the path points (0: end points only);
//       protocol=Fresh or Offline: train only that protocol's rows.
//       merge=DIR1,DIR2,...: train nothing; combine the output folders of earlier runs (e.g. one process per seed:
//       --set seeds=1 --set every=0 --out DIR1) into one table and chart, under the first folder's settings.
// The default settings train 78 networks, about 15 minutes on 2 idle cores (8 CPU-seconds a network, 20 with its path
// points); the quick setting about 45 seconds.

bool quick = Arg("quick", false);
var settings = quick ? BonBonFidelitySettings.Quick : BonBonFidelitySettings.Default;
if (HasArg("seeds"))
{
    var text = Arg("seeds", "");
    var parsed = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--set seeds must be a comma-separated list of integers (got '{text}').")).ToArray();
    settings = settings with { Seeds = parsed };
}
settings = settings with
{
    FreshSteps = Arg("steps", settings.FreshSteps),
    Epochs = Arg("epochs", settings.Epochs),
    PairsPerPrompt = Arg("pairsPerPrompt", settings.PairsPerPrompt),
    Temperature = Arg("temperature", settings.Temperature),
    EvalEvery = Arg("every", settings.EvalEvery),
    FreshLearningRate = Arg("freshLr", settings.FreshLearningRate),
    OfflineLearningRate = Arg("offlineLr", settings.OfflineLearningRate),
};
if (HasArg("protocol"))
{
    var protocol = Enum.TryParse<BonBonProtocol>(Arg("protocol", ""), ignoreCase: true, out var p) ? p
        : throw new ArgumentException($"--set protocol must be Fresh or Offline (got '{Arg("protocol", "")}').");
    settings = settings with { Arms = [.. (settings.Arms ?? BonBonFidelity.DefaultArms).Where(a => a.Protocol == protocol)] };
}
settings.Validate();
Log($"settings: {(HasArg("merge") ? "merging " + Arg("merge", "") : settings.Describe())}");

var result = HasArg("merge")
    ? BonBonFidelity.Merge(Arg("merge", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
    : BonBonFidelity.Run(settings, Log, CancellationToken);
result.Save(OutputDirectory);

Log("");
Log($"BoN_{settings.N} point (exact): KL = {result.BonNKl:F4}, W = {result.BonNWinRate:F4}");
Log("mean over seeds (± sd)                                  α          KL              W          off-target   excess KL");
foreach (var r in result.Rows)
    Log($"{r.Name,-48} {r.Alpha,9:G4}  {r.Kl,6:F3} ± {r.KlSd,5:F3}  {r.WinRate,6:F4} ± {r.WinRateSd,6:F4}  {r.OffTarget,6:F3}   {r.ExcessKl,6:F3} ± {r.ExcessKlSd,5:F3}");
Log("");
var faithful = result.BestFaithfulBonBon;
var baseline = result.BestDpoOrIpo;
if (faithful is not null && baseline is not null)
    Log($"verdict: best faithful BoNBoN '{faithful.Name}' excess KL {faithful.ExcessKl:F3} ± {faithful.ExcessKlSd:F3}; best DPO/IPO '{baseline.Name}' {baseline.ExcessKl:F3} ± {baseline.ExcessKlSd:F3}");
Log($"wrote {OutputDirectory} (table.csv, runs.csv, trajectories.csv, alpha_rule.csv, config.json, frontier_*.html)");
