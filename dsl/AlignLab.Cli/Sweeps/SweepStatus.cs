using AlignLab.Dsl;

namespace AlignLab.Cli.Sweeps;

/// <summary>
/// Where every row of a sweep stands, from the run's row store (a result: done; the last attempt's error or dead
/// process: failed; a live local process: running) and, for rows submitted to Slurm, the queue and accounting
/// (<see cref="Slurm.TaskStates"/>): pending and running tasks, and tasks that ended without a result.
/// </summary>
public static class SweepStatus
{
    /// <summary>The rows of <paramref name="sweep"/> in run folder <paramref name="runFolder"/>, in the experiment's order.</summary>
    public static IReadOnlyList<SweepRow> Rows(string runFolder, SweepManifest sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var rowStore = new RowStore(runFolder);
        var finished = rowStore.FinishedKeys().ToHashSet(StringComparer.Ordinal);
        // The latest submission of each row decides which Slurm task computes it.
        var tasks = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var submission in sweep.Submissions.Where(s => s.SlurmJob is not null))
            for (int i = 0; i < submission.Rows.Count; i++) tasks[submission.Rows[i]] = $"{submission.SlurmJob}_{i}";
        var slurm = tasks.Count == 0 ? null : Slurm.TaskStates([.. sweep.Submissions.Select(s => s.SlurmJob).OfType<string>().Distinct()]);
        return [.. sweep.Rows.Select(key => Row(key, finished.Contains(key), RowAttempt.Read(rowStore.RowFolder(key)),
            tasks.GetValueOrDefault(key), slurm, SweepManifest.LogPath(runFolder, key)))];
    }

    private static SweepRow Row(string key, bool finished, RowAttempt? attempt, string? task, IReadOnlyDictionary<string, string>? slurm, string log)
    {
        if (finished) return new SweepRow(key, SweepRowState.Done, "", log);
        var state = task is not null && slurm is not null ? slurm.GetValueOrDefault(task) : null;
        var where = task is null ? "" : $"Slurm task {task}";
        switch (state)
        {
            case "PENDING" or "CONFIGURING" or "REQUEUED" or "RESIZING" or "SUSPENDED":
                return new SweepRow(key, SweepRowState.Pending, $"{where} {state.ToLowerInvariant()}", log);
            case "RUNNING" or "COMPLETING":
                return new SweepRow(key, SweepRowState.Running, where, log);
        }
        if (attempt?.Error is { } error) return new SweepRow(key, SweepRowState.Failed, Join(where, error), log);
        if (attempt is not null)
        {
            switch (attempt.Process.IsAlive())
            {
                case true:
                    return new SweepRow(key, SweepRowState.Running, Join(where, attempt.Process.ToString()), log);
                case null when task is null || slurm is null:
                    // On another host without the queue to ask: the process may well be alive.
                    return new SweepRow(key, SweepRowState.Running, Join(where, $"{attempt.Process}, not checked from here"), log);
            }
            var ended = state is null ? "its process ended without a result (killed, out of time or memory)" : $"{state.ToLowerInvariant()} without a result";
            return new SweepRow(key, SweepRowState.Failed, Join(where, ended), log);
        }
        return state is null
            ? new SweepRow(key, SweepRowState.Missing, where.Length == 0 ? "" : $"{where}: never started", log)
            : new SweepRow(key, SweepRowState.Failed, $"{where} {state.ToLowerInvariant()} before it started", log);
    }

    private static string Join(string where, string what) => where.Length == 0 ? what : $"{where}: {what}";

    /// <summary>The last <paramref name="count"/> non-empty lines of the log at <paramref name="path"/> (none when it does not exist).</summary>
    public static IReadOnlyList<string> LastLines(string path, int count = 5) =>
        File.Exists(path) ? [.. File.ReadLines(path).Where(l => l.Trim().Length > 0).TakeLast(count)] : [];
}
