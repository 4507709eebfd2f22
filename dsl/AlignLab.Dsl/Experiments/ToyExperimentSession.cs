using AlignLab.Dsl.Plots;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Tasks;
using AlignLab.Models.Generation;
using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>
/// The rows of an experiment on the toy task: the task, its pretrained base (the reference), the base's exact per-prompt
/// distributions and the exact frontiers, shared by every row. Each trained row starts from a fresh copy of the base and
/// is evaluated exactly by enumeration (KL, win rate, expected reward, off-target attribute; standard errors 0).
/// </summary>
internal sealed class ToyExperimentSession : IExperimentSession
{
    private readonly Experiment _experiment;

    public ToyExperimentSession(Experiment experiment)
    {
        _experiment = experiment;
        var baseConfig = BaseConfig(experiment);
        // One context for the whole run: the task's tensors, the base and every policy live on its device and dtype,
        // and everything else (pairs, samples, rewards, losses) is computed where those are.
        Context = ComputeContext.Create(experiment.ComputeOptions);
        Task = new ToyTask(experiment.Task.Config, Context);
        LoadBase = () => Task.LoadOrPretrainBase(baseConfig, experiment.Task.CacheDirectory);
        Reference = LoadBase();
        Reference.eval();
        Prompts = Enumeration.BasePromptSet(Task, Reference);
        OffTarget = Enumerable.Range(0, Prompts.Count).Select(k => (IReadOnlyList<double>)Enumeration.Values(Task, Task.OffTarget, k)).ToList();
        Frontiers = experiment.FrontierSpecs.Distinct()
            .Select(f => (f, ExactFrontier.Averaged(Prompts, f.Family, ExactFrontier.Grid(f.Family))))
            .ToList();
        BestOfN = Frontiers.FirstOrDefault(f => f.Spec.Family == FrontierFamily.BestOfN).Points;
        Optimal = Frontiers.FirstOrDefault(f => f.Spec.Family == FrontierFamily.Optimal).Points;
    }

    private ComputeContext Context { get; }
    private ToyTask Task { get; }
    private Func<TinyGpt> LoadBase { get; }
    private TinyGpt Reference { get; }
    private PromptSet Prompts { get; }
    private IReadOnlyList<IReadOnlyList<double>> OffTarget { get; }
    private IReadOnlyList<(FrontierSpec Spec, IReadOnlyList<FrontierPoint> Points)> Frontiers { get; }
    private IReadOnlyList<FrontierPoint>? BestOfN { get; }
    private IReadOnlyList<FrontierPoint>? Optimal { get; }

    /// <summary>Loads (pretraining and caching when missing) the base of <paramref name="experiment"/>'s task.</summary>
    public static void PrepareBase(Experiment experiment)
    {
        using var task = new ToyTask(experiment.Task.Config);
        using var model = task.LoadOrPretrainBase(BaseConfig(experiment), experiment.Task.CacheDirectory);
    }

    private static ToyBaseConfig BaseConfig(Experiment experiment) => experiment.Task.Base ?? experiment.Scale.EffectiveBase;

    /// <inheritdoc />
    public ExperimentRow ComputeRow(MethodSpec spec, Action<long, IReadOnlyDictionary<string, double>>? log, string rowFolder, bool allowConfigChange,
        CancellationToken cancellationToken)
    {
        var (prompts, bon, optimal) = (Prompts, BestOfN, Optimal);
        var (policies, steps, loss, seconds, ruleAlpha) = spec.IsTrained
            ? Train(spec, log, rowFolder, allowConfigChange, cancellationToken)
            : new TrainedRow(Exact(spec, prompts), 0, double.NaN, 0.0, double.NaN);
        var metrics = ExactEvaluation.Evaluate(prompts, policies, OffTarget);
        var bonN = spec.UsesN ? ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, [spec.N])[0] : null;
        var objective = ExactObjectives.Columns(spec, prompts, policies, _experiment.ExactOptima, Task.Config.ResponseLength, cancellationToken)
                        ?? (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new ExperimentRow(spec.DisplayName, spec, steps, metrics.WinRate, metrics.Kl, metrics.ExpectedReward, metrics.ExpectedOffTarget,
            bonN?.Kl ?? double.NaN, bonN?.WinRate ?? double.NaN,
            bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.Kl)], [.. bon.Select(p => p.WinRate)], metrics.Kl),
            optimal is null ? double.NaN : ExactFrontier.Interpolate([.. optimal.Select(p => p.Kl)], [.. optimal.Select(p => p.WinRate)], metrics.Kl),
            bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.WinRate)], [.. bon.Select(p => p.Kl)], metrics.WinRate),
            loss, seconds, objective.Value, objective.AtBonN, objective.OptimumValue, objective.OptimumKl, objective.OptimumWinRate,
            RuleAlpha: ruleAlpha);
    }

    /// <inheritdoc />
    public ExperimentResult Finish(IReadOnlyList<ExperimentRow> rows, RunWriter run)
    {
        var bon = BestOfN;
        double klMax = 1.2 * Math.Max(rows.Count == 0 ? 0 : rows.Max(r => double.IsFinite(r.Kl) ? r.Kl : 0),
            bon is null ? 0 : ExactFrontier.Interpolate([.. bon.Select(p => p.Parameter)], [.. bon.Select(p => p.Kl)], 16));
        var curves = Frontiers.Select(f => Curve(f.Spec, f.Points, klMax)).ToList();
        var points = rows.Select(r => new ResultPoint(r.Spec.KindName, r.Kl, 0, r.WinRate, 0, r.Method))
            .Concat(rows.Where(r => double.IsFinite(r.OptimumKl))
                .Select(r => new ResultPoint("exact optimum of the objective", r.OptimumKl, 0, r.OptimumWinRate, 0, $"{r.Method}: optimum")))
            .ToList();
        var chart = FrontierChart.Create(FrontierMetric.WinRate, curves, points, $"{_experiment.Name}: win rate vs KL (exact, {_experiment.TaskName})");
        var table = ResultTable.FromRows(rows.Select(TableRow).ToList());
        run.WriteTable(table);
        run.SaveChart("frontier", chart);
        return new ExperimentResult(_experiment, rows, curves, chart, table, run.Id, run.Folder, Context.Describe());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Reference.Dispose();
        Task.Dispose();
        Context.Dispose();
    }

    /// <summary>What training (or the exact policy of an untrained row) gives a row: per-prompt policies, steps, last loss, seconds.</summary>
    private sealed record TrainedRow(IReadOnlyList<IReadOnlyList<double>> Policies, int Steps, double Loss, double Seconds, double RuleAlpha);

    /// <summary>Trains one row from a fresh copy of the base (<see cref="RowTraining"/>), then enumerates its exact distribution.</summary>
    private TrainedRow Train(MethodSpec spec, Action<long, IReadOnlyDictionary<string, double>>? log, string checkpointFolder, bool allowConfigChange,
        CancellationToken cancellationToken)
    {
        using var policy = LoadBase();
        using var anchor = spec.Kind == MethodKind.JBond ? LoadBase() : null;
        var inputs = new MethodBuilder.MethodInputs(policy, Reference, anchor, Task.Prompts, null, Task.GoldReward,
            new SamplingOptions(MaxLength: Task.Config.ResponseLength));
        using var method = MethodBuilder.Build(spec, inputs, _experiment.Scale, _experiment.Seed);
        policy.train();
        var outcome = RowTraining.Run(_experiment, spec, method.Method, log, checkpointFolder, allowConfigChange, cancellationToken);
        policy.eval();
        // The base's exact distributions are computed once per experiment, so only the policy is enumerated here.
        var probabilities = Enumerable.Range(0, Enumeration.PromptCount(Task)).Select(k => (IReadOnlyList<double>)Enumeration.Probabilities(Task, policy, k)).ToList();
        return new TrainedRow(probabilities, outcome.Steps, outcome.Loss, outcome.Seconds, outcome.RuleAlpha);
    }

    /// <summary>The per-prompt policy of an untrained row: the base itself or exact best-of-n.</summary>
    private static IReadOnlyList<IReadOnlyList<double>> Exact(MethodSpec spec, PromptSet prompts) =>
        prompts.Prompts.Select(d => spec.Kind == MethodKind.BestOfN ? Tilting.BestOfN(d, spec.N).Probabilities : d.Probabilities).ToList();

    private static FrontierCurve Curve(FrontierSpec spec, IReadOnlyList<FrontierPoint> points, double klMax)
    {
        var shown = points.Where(p => p.Kl <= klMax).ToList();
        return new FrontierCurve(spec.Name, [.. shown.Select(p => p.Kl)], [.. shown.Select(p => p.WinRate)]);
    }

    private IReadOnlyDictionary<string, object?> TableRow(ExperimentRow r)
    {
        var row = ExperimentTable.Start(r);
        var values = new Dictionary<string, double>
        {
            ["win_rate"] = r.WinRate, ["kl"] = r.Kl, ["expected_reward"] = r.ExpectedReward, ["off_target"] = r.OffTarget,
        };
        foreach (var metric in _experiment.EffectiveMetrics) row[metric.Name] = ExperimentTable.Value(values[metric.Name]);
        if (_experiment.FrontierSpecs.Count > 0)
        {
            row["bon_n_kl"] = ExperimentTable.Value(r.BonNKl);
            row["bon_n_win_rate"] = ExperimentTable.Value(r.BonNWinRate);
            row["distance_to_bon_n"] = ExperimentTable.Value(r.DistanceToBonN);
            row["bon_win_rate_at_kl"] = ExperimentTable.Value(r.BonWinRateAtKl);
            row["optimal_win_rate_at_kl"] = ExperimentTable.Value(r.OptimalWinRateAtKl);
            row["bon_kl_at_win_rate"] = ExperimentTable.Value(r.BonKlAtWinRate);
            row["excess_kl"] = ExperimentTable.Value(r.ExcessKl);
        }
        row["objective"] = ExperimentTable.Value(r.Objective);
        row["objective_at_bon_n"] = ExperimentTable.Value(r.ObjectiveAtBonN);
        if (_experiment.ExactOptima)
        {
            row["optimum_objective"] = ExperimentTable.Value(r.OptimumObjective);
            row["optimum_kl"] = ExperimentTable.Value(r.OptimumKl);
            row["optimum_win_rate"] = ExperimentTable.Value(r.OptimumWinRate);
        }
        ExperimentTable.Finish(row, r);
        return row;
    }
}
