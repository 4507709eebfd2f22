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
        var store = experiment.RunRoot is null ? RunStore.OpenDefault() : RunStore.Open(experiment.RunRoot);
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

    private static ExperimentResult Execute(Experiment experiment, RunWriter run, RowStore rowStore, bool allowConfigChange, CancellationToken cancellationToken)
    {
        var scale = experiment.Scale;
        var baseConfig = experiment.Task.Base ?? scale.EffectiveBase;
        // One context for the whole run: the task's tensors, the base and every policy live on its device and dtype, and
        // everything else (pairs, samples, rewards, losses) is computed where those are.
        using var context = ComputeContext.Create(experiment.ComputeOptions);
        using var task = new ToyTask(experiment.Task.Config, context);
        TinyGpt LoadBase() => task.LoadOrPretrainBase(baseConfig, experiment.Task.CacheDirectory);
        using var reference = LoadBase();
        reference.eval();
        var prompts = Enumeration.BasePromptSet(task, reference);
        var offTarget = Enumerable.Range(0, prompts.Count).Select(k => (IReadOnlyList<double>)Enumeration.Values(task, task.OffTarget, k)).ToList();

        var frontiers = experiment.FrontierSpecs.Distinct()
            .Select(f => (Spec: f, Points: ExactFrontier.Averaged(prompts, f.Family, ExactFrontier.Grid(f.Family))))
            .ToList();
        var bon = frontiers.Any(f => f.Spec.Family == FrontierFamily.BestOfN) ? frontiers.First(f => f.Spec.Family == FrontierFamily.BestOfN).Points : null;
        var optimal = frontiers.Any(f => f.Spec.Family == FrontierFamily.Optimal) ? frontiers.First(f => f.Spec.Family == FrontierFamily.Optimal).Points : null;

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
            TrainedRow trained;
            try
            {
                trained = spec.IsTrained
                    ? Train(spec, experiment, task, reference, LoadBase, run, rowStore.RowFolder(key), allowConfigChange, cancellationToken)
                    : new TrainedRow(Exact(spec, prompts), 0, double.NaN, 0.0);
            }
            catch (TrainingCancelledException e)
            {
                throw new ExperimentCancelledException(run.Id,
                    $"{RowsFinished(experiment, rowStore)}; {spec.DisplayName} saved at step {e.Step} of {e.TotalSteps}", e, cancellationToken);
            }
            var (policies, steps, loss, seconds) = trained;
            var metrics = ExactEvaluation.Evaluate(prompts, policies, offTarget);
            var bonN = spec.UsesN ? ExactFrontier.Averaged(prompts, FrontierFamily.BestOfN, [spec.N])[0] : null;
            var objective = ExactObjectives.Columns(spec, prompts, policies, experiment.ExactOptima, task.Config.ResponseLength, cancellationToken)
                            ?? (double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
            var row = new ExperimentRow(spec.DisplayName, spec, steps, metrics.WinRate, metrics.Kl, metrics.ExpectedReward, metrics.ExpectedOffTarget,
                bonN?.Kl ?? double.NaN, bonN?.WinRate ?? double.NaN,
                bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.Kl)], [.. bon.Select(p => p.WinRate)], metrics.Kl),
                optimal is null ? double.NaN : ExactFrontier.Interpolate([.. optimal.Select(p => p.Kl)], [.. optimal.Select(p => p.WinRate)], metrics.Kl),
                bon is null ? double.NaN : ExactFrontier.Interpolate([.. bon.Select(p => p.WinRate)], [.. bon.Select(p => p.Kl)], metrics.WinRate),
                loss, seconds, objective.Value, objective.AtBonN, objective.OptimumValue, objective.OptimumKl, objective.OptimumWinRate);
            rowStore.Write(key, row);
            rows.Add(row);
        }

        double klMax = 1.2 * Math.Max(rows.Count == 0 ? 0 : rows.Max(r => double.IsFinite(r.Kl) ? r.Kl : 0),
            bon is null ? 0 : ExactFrontier.Interpolate([.. bon.Select(p => p.Parameter)], [.. bon.Select(p => p.Kl)], 16));
        var curves = frontiers.Select(f => Curve(f.Spec, f.Points, klMax)).ToList();
        var points = rows.Select(r => new ResultPoint(r.Spec.KindName, r.Kl, 0, r.WinRate, 0, r.Method))
            .Concat(rows.Where(r => double.IsFinite(r.OptimumKl))
                .Select(r => new ResultPoint("exact optimum of the objective", r.OptimumKl, 0, r.OptimumWinRate, 0, $"{r.Method}: optimum")))
            .ToList();
        var chart = FrontierChart.Create(FrontierMetric.WinRate, curves, points, $"{experiment.Name}: win rate vs KL (exact, {experiment.Task.Name})");
        var table = ResultTable.FromRows(rows.Select(r => TableRow(r, experiment)).ToList());
        run.WriteTable(table);
        run.SaveChart("frontier", chart);
        return new ExperimentResult(experiment, rows, curves, chart, table, run.Id, run.Folder, context.Describe());
    }

    /// <summary>What training (or the exact policy of an untrained row) gives a row: per-prompt policies, steps, last loss, seconds.</summary>
    private sealed record TrainedRow(IReadOnlyList<IReadOnlyList<double>> Policies, int Steps, double Loss, double Seconds);

    /// <summary>
    /// Trains one row from a fresh copy of the base, checkpointing into <paramref name="checkpointFolder"/> (the row's
    /// folder in the run's row store) and continuing from the checkpoint there when a resumed run left one.
    /// </summary>
    private static TrainedRow Train(MethodSpec spec, Experiment experiment, ToyTask task, TinyGpt reference, Func<TinyGpt> loadBase, RunWriter run,
        string checkpointFolder, bool allowConfigChange, CancellationToken cancellationToken)
    {
        var scale = experiment.Scale;
        int steps = spec.Steps > 0 ? spec.Steps : scale.Steps;
        using var policy = loadBase();
        using var anchor = spec.Kind == MethodKind.JBond ? loadBase() : null;
        var method = MethodBuilder.Build(spec, task, policy, reference, anchor, scale, experiment.Seed);
        using var ownedTensors = method as IDisposable;
        var trainer = new Trainer(new TrainerConfig(Steps: steps, LearningRate: spec.LearningRate > 0 ? spec.LearningRate : scale.LearningRate,
            WarmupSteps: Math.Min(scale.WarmupSteps, steps - 1), LogEvery: Math.Min(scale.LogEvery, steps), Seed: experiment.Seed,
            CheckpointEvery: experiment.CheckpointIntervalFor(steps), CheckpointDirectory: checkpointFolder, AllowConfigChange: allowConfigChange));
        var reporter = experiment.ShowProgress ? ProgressReporter.ForConsole(new ProgressOptions(Label: spec.DisplayName)) : null;
        var clock = Stopwatch.StartNew();
        policy.train();
        TrainingResult result;
        try
        {
            result = trainer.Run(method, p =>
            {
                reporter?.Report(p);
                var values = new Dictionary<string, double>(StringComparer.Ordinal) { [$"{spec.DisplayName}/loss"] = p.Loss };
                foreach (var (name, value) in p.Metrics) values[$"{spec.DisplayName}/{name}"] = value;
                run.LogMetrics(p.Step, values);
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
