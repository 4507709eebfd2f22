using System.Diagnostics;
using System.Globalization;
using AlignLab.Dsl.Plots;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Models.Generation;
using AlignLab.Theory;
using AlignLab.Theory.Objectives;
using TorchSharp;

namespace AlignLab.Dsl;

/// <summary>
/// BoNBoN as its authors ran it (issue 12 item 4; scripts/bonbon_fidelity.csx): on the toy task, BoNBoN in each loss
/// <see cref="BonBonVariant"/> × <see cref="BonBonProtocol"/> × α (the equal-terms rule's, the authors' 0.005 for the
/// logistic forms, AlignLab's earlier 0.1), beside SFT-BoN, DPO and IPO on the same pairs, each trained from the base
/// for every seed and evaluated exactly (every response of every prompt enumerated): KL, win rate, off-target, excess
/// KL over the best-of-n frontier at its win rate and distance to the BoN_n point, with the (KL, W) trajectory at k,
/// 4k, 16k, … steps and the last.
/// </summary>
public static class BonBonFidelity
{
    /// <summary>DPO/IPO β of the baseline rows: 0.05, the better of bonbon_vs_baselines' two for both at 300 steps.</summary>
    public static IReadOnlyList<double> BaselineBetas { get; } = [0.05];

    /// <summary>Every row of the research setting: per protocol, BoNBoN in every variant and α, SFT-BoN, DPO and IPO at <see cref="BaselineBetas"/>.</summary>
    public static IReadOnlyList<BonBonFidelityArm> DefaultArms { get; } =
    [
        .. from protocol in new[] { BonBonProtocol.Fresh, BonBonProtocol.Offline }
           from arm in ArmsOf(protocol)
           select arm,
    ];

    /// <summary>The rows the CI-size study compares to check the verdict (docs/scripts.md, "bonbon_fidelity").</summary>
    public static IReadOnlyList<BonBonFidelityArm> VerdictArms { get; } =
    [
        new("BoNBoN", BonBonProtocol.Fresh, BonBonVariant.LogisticMean, "rule", double.NaN, double.NaN),
        new("DPO", BonBonProtocol.Fresh, null, null, double.NaN, 0.05),
        new("IPO", BonBonProtocol.Fresh, null, null, double.NaN, 0.05),
    ];

    private static IEnumerable<BonBonFidelityArm> ArmsOf(BonBonProtocol protocol)
    {
        foreach (var variant in new[] { BonBonVariant.SquaredSum, BonBonVariant.LogisticSum, BonBonVariant.SquaredMean, BonBonVariant.LogisticMean })
        {
            yield return new("BoNBoN", protocol, variant, "rule", double.NaN, double.NaN);
            if (variant.IsLogistic()) yield return new("BoNBoN", protocol, variant, "authors", 0.005, double.NaN);
            yield return new("BoNBoN", protocol, variant, "today", 0.1, double.NaN);
        }
        yield return new("SFT-BoN", protocol, null, null, 1.0, double.NaN);
        foreach (var beta in BaselineBetas)
        {
            yield return new("DPO", protocol, null, null, double.NaN, beta);
            yield return new("IPO", protocol, null, null, double.NaN, beta);
        }
    }

    /// <summary>
    /// Runs the study. <paramref name="log"/> receives the α rule's values and one line per trained network;
    /// <paramref name="cancellation"/> is checked between networks.
    /// </summary>
    public static BonBonFidelityResult Run(BonBonFidelitySettings settings, Action<string>? log = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        log ??= _ => { };
        var arms = settings.Arms ?? DefaultArms;
        using var task = new ToyTask(new ToyTaskConfig());
        var baseConfig = new ToyBaseConfig();
        using var reference = task.LoadOrPretrainBase(baseConfig);
        reference.eval();
        var prompts = Enumeration.BasePromptSet(task, reference);
        var offTarget = Enumerable.Range(0, prompts.Count).Select(k => (IReadOnlyList<double>)Enumeration.Values(task, task.OffTarget, k)).ToList();
        var frontier = ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, ExactFrontier.Grid(FrontierFamily.BestOfN));
        var bonN = ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, [settings.N])[0];
        var sampling = new SamplingOptions(MaxLength: task.Config.ResponseLength);
        var context = new Context(settings, task, baseConfig, reference, prompts, offTarget,
            [.. frontier.Select(p => p.Kl)], [.. frontier.Select(p => p.WinRate)], bonN.Kl, bonN.WinRate, sampling);
        log($"BoN_{settings.N} (exact): KL {bonN.Kl:F4}, W {bonN.WinRate:F4}; {arms.Count} rows x {settings.EffectiveSeeds.Count} seeds");

        var runs = new List<BonBonFidelityRun>();
        var rules = new List<BonBonAlphaRule>();
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < settings.EffectiveSeeds.Count; s++)
        {
            var seed = settings.EffectiveSeeds[s];
            using var dataset = arms.Any(a => a.Protocol == BonBonProtocol.Offline)
                ? PreferenceDataset.FromBestOfN(reference, task.Prompts, settings.PairsPerPrompt, settings.N, task.GoldReward,
                    sampling with { Temperature = settings.Temperature }, new torch.Generator(DatasetSeed(seed)))
                : null;
            var seedRules = AlphaRules(context, dataset, seed, arms);
            rules.AddRange(seedRules);
            foreach (var rule in seedRules)
                log($"seed {seed}: α rule {rule.Variant} [{rule.Protocol}]: SFT term at the reference {rule.SftAtReference:F4}, α = {rule.Alpha:F6}");
            foreach (var arm in arms)
            {
                cancellation.ThrowIfCancellationRequested();
                var alpha = arm.AlphaRule == "rule"
                    ? seedRules.Single(r => r.Protocol == arm.Protocol && r.Variant == arm.Variant).Alpha
                    : arm.Alpha;
                var run = Train(context, arm, seed, alpha, dataset, recordTrajectory: s < settings.TrajectorySeeds && settings.EvalEvery > 0);
                runs.Add(run);
                log($"[{clock.Elapsed:hh\\:mm\\:ss}] seed {seed} {arm.Name}: α {alpha:G4}  KL {run.Kl:F3}  W {run.WinRate:F4}  off-target {run.OffTarget:F3}  excess KL {run.ExcessKl:F3}");
            }
        }
        var rows = arms.Select(a => BonBonFidelityRow.Of(runs.Where(r => r.Arm == a).ToList())).ToList();
        return new BonBonFidelityResult(settings, rows, runs, rules, bonN.Kl, bonN.WinRate, context.FrontierKl, context.FrontierWinRate);
    }

    /// <summary>
    /// Combines the saved outputs of several runs of the study (e.g. one process per seed, <c>--set seeds=k</c>) into one
    /// result: the runs, trajectories and α-rule values of every folder, under the settings of the first folder's
    /// config.json with the union of the seeds; the BoN frontier and the BoN_n point are recomputed from the cached base.
    /// Throws <see cref="InvalidDataException"/> naming a folder whose files are missing or malformed.
    /// </summary>
    public static BonBonFidelityResult Merge(IReadOnlyList<string> folders)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0) throw new ArgumentException("folders is empty: name at least one output folder of the study.", nameof(folders));
        var options = new System.Text.Json.JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        var settings = System.Text.Json.JsonSerializer.Deserialize<BonBonFidelitySettings>(File.ReadAllText(Required(folders[0], "config.json")), options)
                       ?? throw new InvalidDataException($"{folders[0]}/config.json is empty.");
        var arms = (settings.Arms ?? DefaultArms).ToDictionary(a => a.Name);
        var runs = new List<BonBonFidelityRun>();
        var rules = new List<BonBonAlphaRule>();
        foreach (var folder in folders)
        {
            var paths = CsvRows(Required(folder, "trajectories.csv"))
                .GroupBy(r => (r[0], long.Parse(r[1], CultureInfo.InvariantCulture)))
                .ToDictionary(g => g.Key, g => (IReadOnlyList<(int, double, double)>)g.Select(r => (int.Parse(r[2], CultureInfo.InvariantCulture), Number(r[3]), Number(r[4]))).ToList());
            foreach (var r in CsvRows(Required(folder, "runs.csv")))
            {
                if (!arms.TryGetValue(r[0], out var arm)) throw new InvalidDataException($"{folder}/runs.csv: row '{r[0]}' is not an arm of {folders[0]}/config.json.");
                var seed = long.Parse(r[1], CultureInfo.InvariantCulture);
                runs.Add(new BonBonFidelityRun(arm, seed, Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Number(r[7]),
                    paths.TryGetValue((r[0], seed), out var path) ? path : []));
            }
            rules.AddRange(CsvRows(Required(folder, "alpha_rule.csv")).Select(r => new BonBonAlphaRule(long.Parse(r[0], CultureInfo.InvariantCulture),
                Enum.Parse<BonBonProtocol>(r[1]), Enum.Parse<BonBonVariant>(r[2]), Number(r[3]), Number(r[4]))));
        }
        var seeds = runs.Select(r => r.Seed).Distinct().Order().ToArray();
        using var task = new ToyTask(new ToyTaskConfig());
        using var reference = task.LoadOrPretrainBase(new ToyBaseConfig());
        reference.eval();
        var prompts = Enumeration.BasePromptSet(task, reference);
        var frontier = ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, ExactFrontier.Grid(FrontierFamily.BestOfN));
        var bonN = ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, [settings.N])[0];
        var rows = arms.Values.Where(a => runs.Any(r => r.Arm == a)).Select(a => BonBonFidelityRow.Of(runs.Where(r => r.Arm == a).ToList())).ToList();
        return new BonBonFidelityResult(settings with { Seeds = seeds }, rows, runs, rules, bonN.Kl, bonN.WinRate,
            [.. frontier.Select(p => p.Kl)], [.. frontier.Select(p => p.WinRate)]);
    }

    private static string Required(string folder, string file)
    {
        var path = Path.Combine(folder, file);
        return File.Exists(path) ? path : throw new InvalidDataException($"{path} does not exist: is '{folder}' an output folder of bonbon_fidelity?");
    }

    private static double Number(string text) => text.Length == 0 ? double.NaN : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The data rows of a CSV file written by <see cref="BonBonFidelityResult.Save"/> (double-quoted cells may hold commas).</summary>
    private static IEnumerable<string[]> CsvRows(string path) => File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(line =>
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted && ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
            else if (ch == '"') quoted = !quoted;
            else if (ch == ',' && !quoted) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        cells.Add(cell.ToString());
        return cells.ToArray();
    });

    /// <summary>The seed of the offline dataset's generator for a training seed (distinct from the training generator's).</summary>
    private static ulong DatasetSeed(long seed) => unchecked((ulong)seed * 7919UL + 104_729UL);

    private sealed record Context(
        BonBonFidelitySettings Settings, ToyTask Task, ToyBaseConfig BaseConfig, TinyGpt Reference, PromptSet Prompts,
        IReadOnlyList<IReadOnlyList<double>> OffTarget, double[] FrontierKl, double[] FrontierWinRate, double BonKl, double BonWinRate,
        SamplingOptions Sampling);

    /// <summary>The equal-terms α of every BoNBoN variant and protocol the arms use, from the protocol's pairs at this seed.</summary>
    private static List<BonBonAlphaRule> AlphaRules(Context c, PreferenceDataset? dataset, long seed, IReadOnlyList<BonBonFidelityArm> arms)
    {
        var rules = new List<BonBonAlphaRule>();
        foreach (var group in arms.Where(a => a.AlphaRule == "rule").GroupBy(a => a.Protocol))
        {
            using var scope = torch.NewDisposeScope();
            PreferenceBatch batch;
            DatasetPairSource? owner = null;
            if (group.Key == BonBonProtocol.Fresh)
            {
                using var generator = new torch.Generator(DatasetSeed(seed) + 1);
                batch = new BestWorstPairSource(c.Reference, c.Task.Prompts, c.Task.GoldReward, c.Settings.N, c.Sampling).Next(c.Settings.AlphaRuleBatch, generator);
            }
            else
            {
                // The whole fixed dataset is the batch: one pass in any order.
                owner = new DatasetPairSource(dataset!, c.Reference, order: PairOrder.Epochs);
                using var generator = new torch.Generator(0);
                batch = owner.Next((int)owner.Count, generator);
            }
            foreach (var variant in group.Select(a => a.Variant!.Value).Distinct())
            {
                var config = new BonBonConfig(c.Settings.N, Variant: variant);
                using var best = -batch.ChosenReferenceLogProbs.mean();
                var sft = variant.AveragesTokens() ? best.item<float>() / c.Task.Config.ResponseLength : best.item<float>();
                rules.Add(new BonBonAlphaRule(seed, group.Key, variant, sft, BonBonMethod.EqualTermsAlpha(batch, config)));
            }
            owner?.Dispose();
        }
        return rules;
    }

    private static BonBonFidelityRun Train(Context c, BonBonFidelityArm arm, long seed, double alpha, PreferenceDataset? dataset, bool recordTrajectory)
    {
        var s = c.Settings;
        using var policy = c.Task.LoadOrPretrainBase(c.BaseConfig);
        using var offline = arm.Protocol == BonBonProtocol.Offline ? new DatasetPairSource(dataset!, c.Reference, order: PairOrder.Epochs) : null;
        IPreferencePairSource pairs = offline ?? (IPreferencePairSource)new BestWorstPairSource(c.Reference, c.Task.Prompts, c.Task.GoldReward, s.N, c.Sampling);
        var batchSize = offline is null ? s.FreshBatchSize : s.OfflineBatchSize;
        IAlignmentMethod method = arm.Kind switch
        {
            "BoNBoN" => new BonBonMethod(policy, pairs, new BonBonConfig(s.N, alpha, null, batchSize, arm.Variant!.Value)),
            "SFT-BoN" => new BonBonMethod(policy, pairs, new BonBonConfig(s.N, 1.0, null, batchSize)),
            "DPO" => new DpoMethod(policy, pairs, new DpoConfig(arm.Beta, batchSize)),
            "IPO" => new IpoMethod(policy, pairs, new IpoConfig(arm.Beta, batchSize)),
            _ => throw new ArgumentException($"Unknown method '{arm.Kind}' in the study's arms (BoNBoN, SFT-BoN, DPO, IPO).", nameof(arm)),
        };
        var steps = offline is null ? s.FreshSteps : s.Epochs * offline.StepsPerEpoch(batchSize);
        var evalEvery = recordTrajectory ? s.EvalEvery : 0;
        var config = offline is null
            ? new TrainerConfig(Steps: steps, LearningRate: s.FreshLearningRate, WarmupSteps: Math.Min(s.FreshWarmup, steps - 1), GradientClip: 1.0,
                LogEvery: steps, EvalEvery: evalEvery, Seed: seed)
            : new TrainerConfig(Steps: steps, LearningRate: s.OfflineLearningRate, WarmupSteps: Math.Min((int)(s.OfflineWarmupFraction * steps), steps - 1),
                GradientClip: s.OfflineClip, LogEvery: steps, EvalEvery: evalEvery, Seed: seed, Optimizer: OptimizerKind.RmsProp);
        var trajectory = new List<(int Step, double Kl, double WinRate)>();
        if (recordTrajectory) trajectory.Add((0, 0.0, 0.5)); // the policy starts as the base: KL 0, W ½ (ties half)
        ExactMetrics? last = null;
        policy.train();
        new Trainer(config).Run(method, evaluate: step =>
        {
            if (!IsPathStep(step / s.EvalEvery)) return new Dictionary<string, double>();
            last = Evaluate(c, policy);
            trajectory.Add((step, last.Kl, last.WinRate));
            return new Dictionary<string, double> { ["kl"] = last.Kl, ["win_rate"] = last.WinRate };
        });
        var final = trajectory.Count > 0 && trajectory[^1].Step == steps && last is not null ? last : Evaluate(c, policy);
        if (recordTrajectory && trajectory[^1].Step != steps) trajectory.Add((steps, final.Kl, final.WinRate));
        var excess = final.Kl - ExactFrontier.Interpolate(c.FrontierWinRate, c.FrontierKl, final.WinRate);
        var distance = Math.Sqrt(Math.Pow(final.Kl - c.BonKl, 2) + Math.Pow(final.WinRate - c.BonWinRate, 2));
        return new BonBonFidelityRun(arm, seed, alpha, final.Kl, final.WinRate, final.ExpectedOffTarget, excess, distance, trajectory);
    }

    /// <summary>Path points fall at k·4ʲ steps (k, 4k, 16k, …): dense where training moves fast, few exact evaluations in all.</summary>
    private static bool IsPathStep(int multiple)
    {
        while (multiple > 1 && multiple % 4 == 0) multiple /= 4;
        return multiple == 1;
    }

    private static ExactMetrics Evaluate(Context c, TinyGpt policy)
    {
        policy.eval();
        using var noGrad = torch.no_grad();
        var probabilities = Enumerable.Range(0, c.Prompts.Count).Select(k => (IReadOnlyList<double>)Enumeration.Probabilities(c.Task, policy, k)).ToList();
        policy.train();
        return ExactEvaluation.Evaluate(c.Prompts, probabilities, c.OffTarget);
    }
}
