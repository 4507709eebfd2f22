using System.Text;
using AlignLab.Cli.Scripting;

namespace AlignLab.Cli.Sweeps;

/// <summary>
/// The <c>sbatch</c> script of a sweep: one job array over the rows still to compute, task i running
/// <c>alignlab run SCRIPT --row ROWS[i] --resume RUN</c> in the sweep's folder, its output appended to the row's log in
/// the run folder, torch's threads set to the task's cores and its GPUs those Slurm puts in <c>CUDA_VISIBLE_DEVICES</c>.
/// </summary>
public static class SbatchScript
{
    /// <summary>Renders the script for <paramref name="rows"/> of the sweep <paramref name="sweep"/> of run <paramref name="runId"/> in <paramref name="runFolder"/>.</summary>
    public static string Render(SweepManifest sweep, string experimentName, string runId, string runFolder, IReadOnlyList<string> rows, SlurmOptions options)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(options);
        if (rows.Count == 0) throw new ArgumentException("a job array needs at least one row.", nameof(rows));
        var logs = Path.Combine(runFolder, SweepManifest.LogsFolder);
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append($"# AlignLab sweep of experiment '{experimentName}' into run {runId}: {rows.Count} rows, one array task each.\n");
        text.Append($"#SBATCH --job-name={JobName(experimentName)}\n");
        text.Append($"#SBATCH --array=0-{rows.Count - 1}{(options.MaxParallel is { } k ? $"%{k}" : "")}\n");
        text.Append($"#SBATCH --output={Path.Combine(logs, "slurm-%A_%a.out")}\n");
        text.Append($"#SBATCH --chdir={sweep.WorkingDirectory}\n");
        text.Append("#SBATCH --ntasks=1\n");
        text.Append($"#SBATCH --cpus-per-task={options.CpusPerTask ?? 1}\n");
        if (options.GpusPerTask > 0) text.Append($"#SBATCH --gpus-per-task={options.GpusPerTask}\n");
        if (options.Partition is not null) text.Append($"#SBATCH --partition={options.Partition}\n");
        if (options.Time is not null) text.Append($"#SBATCH --time={options.Time}\n");
        if (options.Memory is not null) text.Append($"#SBATCH --mem={options.Memory}\n");
        text.Append("set -euo pipefail\n");
        text.Append($"ROWS=({string.Join(' ', rows.Select(ScriptOutcome.Quote))})\n");
        text.Append("ROW=${ROWS[$SLURM_ARRAY_TASK_ID]}\n");
        text.Append("# torch's intra-op threads: the task's cores. Its GPUs are the ones Slurm lists in CUDA_VISIBLE_DEVICES.\n");
        text.Append("export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} MKL_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}\n");
        text.Append($"echo \"== row $ROW: array task ${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}} on $(hostname) at $(date -u +%FT%TZ)\" >> {ScriptOutcome.Quote(logs)}/\"$ROW.log\"\n");
        var command = sweep.RowCommand(runId, "").Select(ScriptOutcome.Quote).ToList();
        command[^3] = "\"$ROW\""; // the row key: ... --row KEY --resume RUN
        text.Append($"exec {string.Join(' ', command)} >> {ScriptOutcome.Quote(logs)}/\"$ROW.log\" 2>&1\n");
        return text.ToString();
    }

    // Slurm shows job names in squeue's narrow columns: keep it short and plain.
    private static string JobName(string experimentName)
    {
        var plain = new string([.. experimentName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-')]);
        return "alignlab-" + (plain.Length > 40 ? plain[..40] : plain);
    }
}
