using System.Diagnostics;
using AlignLab.Dsl.Plots;
using AlignLab.Dsl.Progress;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Models;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>
/// Runs a validated <see cref="Experiment"/>: opens a run, trains each method from the task's base with the shared
/// <see cref="Trainer"/>, evaluates every policy exactly by enumeration, computes the frontiers and writes the table and chart.
/// </summary>
internal static class ExperimentRunner
{
    public static ExperimentResult Run(Experiment experiment, ExperimentResume? resume, CancellationToken cancellationToken)
    {
        var store = Store(experiment);
        using var run = resume is null
            ? store.StartRun(experiment.Name, experiment.Seed, experiment)
            : store.ResumeRun(resume.RunId, experiment.Name, experiment, resume.AllowConfigChange, IsFreeToChange);
        var rowStore = new RowStore(run.Folder);
        using var cooperating = AmbientCancellation.Cooperate();
        try
        {
            if (resume is not null) DropMetricsAfterCheckpoints(experiment, run, rowStore);
            var result = Execute(experiment, run, rowStore, resume?.AllowConfigChange ?? false, cancellationToken);
            run.Complete();
            return result;
        }
        // A script that ignores Ctrl-C is aborted a few seconds later (ThreadAbortException): that is a cancellation too.
        catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ThreadAbortException)
        {
            var cancelled = e as ExperimentCancelledException
                            ?? new ExperimentCancelledException(run.Id, RowsFinished(experiment, rowStore), e, cancellationToken);
            run.Cancel(cancelled.Saved);
            throw cancelled;
        }
        catch (Exception e)
        {
            run.Fail(e.Message);
            throw;
        }
    }

    /// <summary>Settings that may differ on resume: where the store is, whether progress shows, how often rows checkpoint, where bases are cached.</summary>
    private static bool IsFreeToChange(string field) => field is "runRoot" or "showProgress" or "checkpointEvery" or "task.cacheDirectory";

    private static string RowsFinished(Experiment experiment, RowStore rowStore)
    {
        var finished = rowStore.FinishedKeys().ToHashSet(StringComparer.Ordinal);
        return $"{experiment.MethodSpecs.Count(m => finished.Contains(m.Key(experiment.Seed)))} of {experiment.MethodSpecs.Count} rows finished";
    }

    /// <summary>
    /// A killed process may have logged steps of its unfinished row past the row's last checkpoint; the resumed row logs
    /// them again, so they are dropped first.
    /// </summary>
    private static void DropMetricsAfterCheckpoints(Experiment experiment, RunWriter run, RowStore rowStore)
    {
        var finished = rowStore.FinishedKeys().ToHashSet(StringComparer.Ordinal);
        var resumedAt = experiment.MethodSpecs.Where(m => !finished.Contains(m.Key(experiment.Seed)))
            .ToDictionary(m => m.DisplayName + "/", m => Trainer.CheckpointStep(rowStore.RowFolder(m.Key(experiment.Seed))), StringComparer.Ordinal);
        if (resumedAt.Count == 0) return;
        run.DropMetrics(record => resumedAt.Any(row => record.Step > row.Value && record.Values.Keys.All(k => k.StartsWith(row.Key, StringComparison.Ordinal))));
    }

    /// <summary>
    /// Computes row <paramref name="key"/> of <paramref name="experiment"/> into the sweep run <paramref name="runId"/>
    /// (null: the latest sweep run of its name) unless its result is there, recording the attempt
    /// (<see cref="RowAttempt"/>) and the row's training metrics in the row's folder. Returns what was done.
    /// </summary>
    public static string RunRow(Experiment experiment, string? runId, string key, CancellationToken cancellationToken)
    {
        var spec = experiment.MethodSpecs.FirstOrDefault(m => m.Key(experiment.Seed) == key)
                   ?? throw new UnknownRowException(experiment.Name, key, [.. experiment.MethodSpecs.Select(m => m.Key(experiment.Seed))]);
        using var run = AttachSweep(experiment, runId);
        var rowStore = new RowStore(run.Folder);
        if (rowStore.Read(key, spec) is not null) return $"row {key} finished earlier in run {run.Id}; skipped";
        var folder = Directory.CreateDirectory(rowStore.RowFolder(key)).FullName;
        var attempt = RowAttempt.Start();
        attempt.Write(folder);
        try
        {
            using var setup = Setup.Prepare(experiment);
            var row = ComputeRow(experiment, setup, spec, log: null, folder, allowConfigChange: false, cancellationToken);
            rowStore.Write(key, row);
            return $"row {key} of run {run.Id} finished";
        }
        catch (Exception e)
        {
            (attempt with { Error = e is TrainingCancelledException ? $"cancelled: {e.Message}" : e.Message }).Write(folder);
            throw;
        }
    }

    /// <summary>
    /// Writes the table and chart of sweep run <paramref name="runId"/> (null: the latest sweep run of the experiment's
    /// name) over its finished rows, in the experiment's row order, and the rows' training metrics into its
    /// <c>metrics.jsonl</c>; completes the run when every row is there. Returns what was collected.
    /// </summary>
    public static string Collect(Experiment experiment, string? runId)
    {
        using var run = AttachSweep(experiment, runId);
        var rowStore = new RowStore(run.Folder);
        var finished = experiment.MethodSpecs.Select(spec => rowStore.Read(spec.Key(experiment.Seed), spec)).OfType<ExperimentRow>().ToList();
        if (finished.Count == 0) throw new InvalidOperationException($"run {run.Id} has no finished rows yet; nothing to collect.");
        run.DropMetrics(_ => true);
        foreach (var row in finished)
            foreach (var record in RunWriter.ReadMetrics(Path.Combine(rowStore.RowFolder(row.Spec.Key(experiment.Seed)), RowMetricsFile)))
                run.LogMetrics(record.Step, RowMetrics(row.Spec, record.Values));
        using (var setup = Setup.Prepare(experiment)) Finish(experiment, setup, finished, run);
        int missing = experiment.MethodSpecs.Count - finished.Count;
        if (missing == 0) run.Complete();
        return missing == 0
            ? $"collected all {finished.Count} rows of run {run.Id}"
            : $"collected {finished.Count} of {experiment.MethodSpecs.Count} rows of run {run.Id} ({missing} not finished)";
    }

    /// <summary>File name of a swept row's training metrics inside its folder (the trainer's own lines).</summary>
    public const string RowMetricsFile = "metrics.jsonl";

    /// <summary>The run store <paramref name="experiment"/> writes to.</summary>
    public static RunStore Store(Experiment experiment) => experiment.RunRoot is null ? RunStore.OpenDefault() : RunStore.Open(experiment.RunRoot);

    /// <summary>The sweep run <paramref name="runId"/> (null: the latest) of <paramref name="experiment"/>, its settings checked.</summary>
    public static RunWriter AttachSweep(Experiment experiment, string? runId) => Store(experiment).Attach(runId, experiment.Name, experiment, IsFreeToChange);

    private static ExperimentResult Execute(Experiment experiment, RunWriter run, RowStore rowStore, bool allowConfigChange, CancellationToken cancellationToken)
    {
        using var setup = Setup.Prepare(experiment);
        var rows = new List<ExperimentRow>();
        foreach (var spec in experiment.MethodSpecs)
        {
            var key = spec.Key(experiment.Seed);
            var finished = rowStore.Read(key, spec);
            if (finished is not null)
            {
                if (experiment.ShowProgress) Console.Error.WriteLine($"{spec.DisplayName}: finished earlier in run {run.Id}, reused");
                rows.Add(finished);
                continue;
            }
            if (cancellationToken.IsCancellationRequested)
                throw new ExperimentCancelledException(run.Id, RowsFinished(experiment, rowStore), null, cancellationToken);
            ExperimentRow row;
            try
            {
                row = ComputeRow(experiment, setup, spec, run.LogMetrics, rowStore.RowFolder(key), allowConfigChange, cancellationToken);
            }
            catch (TrainingCancelledException e)
            {
                throw new ExperimentCancelledException(run.Id,
                    $"{RowsFinished(experiment, rowStore)}; {spec.DisplayName} saved at step {e.Step} of {e.TotalSteps}", e, cancellationToken);
            }
            rowStore.Write(key, row);
            rows.Add(row);
        }
        return Finish(experiment, setup, rows, run);
    }

    /// <summary>Loads (pretraining and caching when missing) the base of <paramref name="experiment"/>'s task.</summary>
    public static void PrepareBase(Experiment experiment)
    {
        using var task = new ToyTask(experiment.Task.Config);
        using var model = task.LoadOrPretrainBase(BaseConfig(experiment), experiment.Task.CacheDirectory);
    }

    private static ToyBaseConfig BaseConfig(Experiment experiment) => experiment.Task.Base ?? experiment.Scale.EffectiveBase;

    /// <summary>The task, its base and the exact quantities every row of an experiment shares.</summary>
    private sealed class Setup : IDisposable
    {
        private Setup(Experiment experiment)
        {
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

        public ComputeContext Context { get; }
        public ToyTask Task { get; }
        public Func<TinyGpt> LoadBase { get; }
        public TinyGpt Reference { get; }
        public PromptSet Prompts { get; }
        public IReadOnlyList<IReadOnlyList<double>> OffTarget { get; }
        public IReadOnlyList<(FrontierSpec Spec, IReadOnlyList<FrontierPoint> Points)> Frontiers { get; }
        public IReadOnlyList<FrontierPoint>? BestOfN { get; }
        public IReadOnlyList<FrontierPoint>? Optimal { get; }

        public static Setup Prepare(Experiment experiment) => new(experiment);

        public void Dispose()
        {
            Reference.Dispose();
            Task.Dispose();
            Context.Dispose();
        }
    }

    /// <summary>
    /// Trains (or computes exactly) one row and evaluates it. Training metrics go to <paramref name="log"/>, or, when it
    /// is null (a swept row), to the row's own <see cref="RowMetricsFile"/> in <paramref name="rowFolder"/>.
    /// </summary>
    private static ExperimentRow ComputeRow(Experiment experiment, Setup setup, MethodSpec spec, Action<long, IReadOnlyDictionary<string, double>>? log,
        string rowFolder, bool allowConfigChange, CancellationToken cancellationToken)
    {
        var (prompts, bon, optimal) = (setup.Prompts, setup.BestOfN, setup.Optimal);
        var (policies, steps, loss, seconds) = spec.IsTrained
            ? Train(spec, experiment, setup.Task, setup.Reference, setup.LoadBase, log, rowFolder, allowConfigChange, cancellationToken)
            : new TrainedRow(Exact(spec, prompts), 0, double.NaN, 0.0);
        var metrics = ExactEvaluation.Evaluate(prompts, policies, setup.OffTarget);
        var bonN = spec.UsesN ? ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, [spec.N])[0] : null;
        var objective = ExactObjectives.Columns(spec, prompts, policies, experiment.ExactOptima, setup.Task.Config.ResponseLength, cancellationToken)
                        ?? (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        return new ExperimentRow(spec.DisplayName, spec, steps, metrics.WinRate, metrics.Kl, metrics.ExpectedReward, metrics.ExpectedOffTarget,
            bonN?.Kl ?? double.NaN, bonN?.WinRate ?? double.NaN,
            bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.Kl)], [.. bon.Select(p => p.WinRate)], metrics.Kl),
            optimal is null ? double.NaN : ExactFrontier.Interpolate([.. optimal.Select(p => p.Kl)], [.. optimal.Select(p => p.WinRate)], metrics.Kl),
            bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.WinRate)], [.. bon.Select(p => p.Kl)], metrics.WinRate),
            loss, seconds, objective.Value, objective.AtBonN, objective.OptimumValue, objective.OptimumKl, objective.OptimumWinRate);
    }

    /// <summary>The frontier curves, chart and table over <paramref name="rows"/>, written to <paramref name="run"/>.</summary>
    private static ExperimentResult Finish(Experiment experiment, Setup setup, IReadOnlyList<ExperimentRow> rows, RunWriter run)
    {
        var bon = setup.BestOfN;
        double klMax = 1.2 * Math.Max(rows.Count == 0 ? 0 : rows.Max(r => double.IsFinite(r.Kl) ? r.Kl : 0),
            bon is null ? 0 : ExactFrontier.Interpolate([.. bon.Select(p => p.Parameter)], [.. bon.Select(p => p.Kl)], 16));
        var curves = setup.Frontiers.Select(f => Curve(f.Spec, f.Points, klMax)).ToList();
        var points = rows.Select(r => new ResultPoint(r.Spec.KindName, r.Kl, 0, r.WinRate, 0, r.Method))
            .Concat(rows.Where(r => double.IsFinite(r.OptimumKl))
                .Select(r => new ResultPoint("exact optimum of the objective", r.OptimumKl, 0, r.OptimumWinRate, 0, $"{r.Method}: optimum")))
            .ToList();
        var chart = FrontierChart.Create(FrontierMetric.WinRate, curves, points, $"{experiment.Name}: win rate vs KL (exact, {experiment.Task.Name})");
        var table = ResultTable.FromRows(rows.Select(r => TableRow(r, experiment)).ToList());
        run.WriteTable(table);
        run.SaveChart("frontier", chart);
        return new ExperimentResult(experiment, rows, curves, chart, table, run.Id, run.Folder, setup.Context.Describe());
    }

    /// <summary>A swept row's trainer metrics line as the run logs it in one process: names prefixed by the row's, no elapsed time.</summary>
    private static Dictionary<string, double> RowMetrics(MethodSpec spec, IReadOnlyDictionary<string, double> values) =>
        values.Where(v => v.Key != "elapsed_s").ToDictionary(v => $"{spec.DisplayName}/{v.Key}", v => v.Value, StringComparer.Ordinal);

    /// <summary>What training (or the exact policy of an untrained row) gives a row: per-prompt policies, steps, last loss, seconds.</summary>
    private sealed record TrainedRow(IReadOnlyList<IReadOnlyList<double>> Policies, int Steps, double Loss, double Seconds);

    /// <summary>
    /// Trains one row from a fresh copy of the base, checkpointing into <paramref name="checkpointFolder"/> (the row's
    /// folder in the run's row store) and continuing from the checkpoint there when a resumed run left one.
    /// </summary>
    private static TrainedRow Train(MethodSpec spec, Experiment experiment, ToyTask task, TinyGpt reference, Func<TinyGpt> loadBase,
        Action<long, IReadOnlyDictionary<string, double>>? log, string checkpointFolder, bool allowConfigChange, CancellationToken cancellationToken)
    {
        var scale = experiment.Scale;
        int steps = spec.Steps > 0 ? spec.Steps : scale.Steps;
        using var policy = loadBase();
        using var anchor = spec.Kind == MethodKind.JBond ? loadBase() : null;
        var method = MethodBuilder.Build(spec, task, policy, reference, anchor, scale, experiment.Seed);
        using var ownedTensors = method as IDisposable;
        var trainer = new Trainer(new TrainerConfig(Steps: steps, LearningRate: spec.LearningRate > 0 ? spec.LearningRate : scale.LearningRate,
            WarmupSteps: Math.Min(scale.WarmupSteps, steps - 1), LogEvery: Math.Min(scale.LogEvery, steps), Seed: experiment.Seed,
            CheckpointEvery: experiment.CheckpointIntervalFor(steps), CheckpointDirectory: checkpointFolder, AllowConfigChange: allowConfigChange,
            MetricsPath: log is null ? Path.Combine(checkpointFolder, RowMetricsFile) : null,
            TensorBoardDirectory: log is null ? Path.Combine(checkpointFolder, TensorBoardLog.FolderName) : null));
        var reporter = experiment.ShowProgress ? ProgressReporter.ForConsole(new ProgressOptions(Label: spec.DisplayName)) : null;
        var clock = Stopwatch.StartNew();
        policy.train();
        TrainingResult result;
        try
        {
            result = trainer.Run(method, p =>
            {
                reporter?.Report(p);
                if (log is null) return;
                var values = new Dictionary<string, double>(StringComparer.Ordinal) { [$"{spec.DisplayName}/loss"] = p.Loss };
                foreach (var (name, value) in p.Metrics) values[$"{spec.DisplayName}/{name}"] = value;
                log(p.Step, values);
            }, cancellationToken: cancellationToken);
        }
        finally
        {
            // Also on Ctrl-C, so the message that follows starts on its own line.
            reporter?.Finish();
        }
        double seconds = clock.Elapsed.TotalSeconds;
        policy.eval();
        // The base's exact distributions are computed once per experiment, so only the policy is enumerated here.
        var probabilities = Enumerable.Range(0, Enumeration.PromptCount(task)).Select(k => (IReadOnlyList<double>)Enumeration.Probabilities(task, policy, k)).ToList();
        return new TrainedRow(probabilities, result.Steps, result.Last.Loss, seconds);
    }

    /// <summary>The per-prompt policy of an untrained row: the base itself or exact best-of-n.</summary>
    private static IReadOnlyList<IReadOnlyList<double>> Exact(MethodSpec spec, PromptSet prompts) =>
        prompts.Prompts.Select(d => spec.Kind == MethodKind.BestOfN ? Tilting.BestOfN(d, spec.N).Probabilities : d.Probabilities).ToList();

    private static FrontierCurve Curve(FrontierSpec spec, IReadOnlyList<FrontierPoint> points, double klMax)
    {
        var shown = points.Where(p => p.Kl <= klMax).ToList();
        return new FrontierCurve(spec.Name, [.. shown.Select(p => p.Kl)], [.. shown.Select(p => p.WinRate)]);
    }

    private static IReadOnlyDictionary<string, object?> TableRow(ExperimentRow r, Experiment experiment)
    {
        static object? Value(double x) => double.IsFinite(x) ? x : null;
        var row = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["method"] = r.Method,
            ["kind"] = r.Spec.KindName,
            ["n"] = r.Spec.UsesN ? r.Spec.N : null,
            ["alpha"] = r.Spec.UsesAlpha ? r.Spec.Alpha : null,
            ["beta"] = r.Spec.UsesBeta ? r.Spec.Beta : null,
            ["steps"] = r.Steps,
        };
        var values = new Dictionary<string, double>
        {
            ["win_rate"] = r.WinRate, ["kl"] = r.Kl, ["expected_reward"] = r.ExpectedReward, ["off_target"] = r.OffTarget,
        };
        foreach (var metric in experiment.EffectiveMetrics) row[metric.Name] = Value(values[metric.Name]);
        if (experiment.FrontierSpecs.Count > 0)
        {
            row["bon_n_kl"] = Value(r.BonNKl);
            row["bon_n_win_rate"] = Value(r.BonNWinRate);
            row["distance_to_bon_n"] = Value(r.DistanceToBonN);
            row["bon_win_rate_at_kl"] = Value(r.BonWinRateAtKl);
            row["optimal_win_rate_at_kl"] = Value(r.OptimalWinRateAtKl);
            row["bon_kl_at_win_rate"] = Value(r.BonKlAtWinRate);
            row["excess_kl"] = Value(r.ExcessKl);
        }
        row["objective"] = Value(r.Objective);
        row["objective_at_bon_n"] = Value(r.ObjectiveAtBonN);
        if (experiment.ExactOptima)
        {
            row["optimum_objective"] = Value(r.OptimumObjective);
            row["optimum_kl"] = Value(r.OptimumKl);
            row["optimum_win_rate"] = Value(r.OptimumWinRate);
        }
        row["final_loss"] = Value(r.FinalLoss);
        row["train_seconds"] = r.TrainSeconds;
        return row;
    }
}
