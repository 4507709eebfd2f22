using AlignLab.Dsl.Results;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Training;

namespace AlignLab.Dsl;

/// <summary>
/// Runs a validated <see cref="Experiment"/>: opens a run (or resumes one, or does one part of a sweep), computes each
/// row not finished yet through the task's <see cref="IExperimentSession"/> — exact by enumeration on the toy task
/// (<see cref="ToyExperimentSession"/>), Monte-Carlo with standard errors on a real one (<see cref="RealExperimentSession"/>)
/// — files it in the run's <see cref="RowStore"/>, and writes the table and chart. Interruption, resume and sweeps are
/// this one code path for both.
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
            using var session = IExperimentSession.Open(experiment);
            var row = session.ComputeRow(spec, log: null, folder, allowConfigChange: false, cancellationToken);
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
        using (var session = IExperimentSession.Open(experiment)) session.Finish(finished, run);
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
        using var session = IExperimentSession.Open(experiment);
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
                row = session.ComputeRow(spec, run.LogMetrics, rowStore.RowFolder(key), allowConfigChange, cancellationToken);
            }
            catch (TrainingCancelledException e)
            {
                throw new ExperimentCancelledException(run.Id,
                    $"{RowsFinished(experiment, rowStore)}; {spec.DisplayName} saved at step {e.Step} of {e.TotalSteps}", e, cancellationToken);
            }
            rowStore.Write(key, row);
            rows.Add(row);
        }
        return session.Finish(rows, run);
    }

    /// <summary>A swept row's trainer metrics line as the run logs it in one process: names prefixed by the row's, no elapsed time.</summary>
    private static Dictionary<string, double> RowMetrics(MethodSpec spec, IReadOnlyDictionary<string, double> values) =>
        values.Where(v => v.Key != "elapsed_s").ToDictionary(v => $"{spec.DisplayName}/{v.Key}", v => v.Value, StringComparer.Ordinal);

    /// <summary>Loads (pretraining and caching when missing) the base of <paramref name="experiment"/>'s toy task; a real task has nothing to prepare.</summary>
    public static void PrepareBase(Experiment experiment)
    {
        if (!experiment.IsReal) ToyExperimentSession.PrepareBase(experiment);
    }
}
