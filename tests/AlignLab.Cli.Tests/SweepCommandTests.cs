using AlignLab.Cli.Commands;
using AlignLab.Cli.Sweeps;
using AlignLab.Dsl;
using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Tests;

/// <summary>
/// Issue 13: <c>alignlab sweep</c>'s job script, its refusals (one line, exit 2), <c>run --row</c> of an unknown row, and
/// <c>sweep status</c>'s report of failed rows; in-process, nothing trained.
/// </summary>
public class SweepCommandTests
{
    [Fact]
    public void DryRun_PrintsTheSbatchScript_AndCreatesNoRun()
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);
        var store = Path.Combine(folder.Path, "runs");

        var run = CliRun.Invoke("sweep", script, "--set", $"store={store}", "--set", "methods=dpo", "--out", folder.Out, "--slurm",
            "--partition", "gpu", "--time", "01:30:00", "--cpus-per-task", "2", "--gpus-per-task", "1", "--mem", "4G", "--max-parallel", "3", "--dry-run");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var logs = $"{store}/{SweepCommand.DryRunId}/logs";
        var alignlab = string.Join(' ', AlignlabLauncher.Command());
        Assert.Equal($$"""
            #!/bin/bash
            # AlignLab sweep of experiment 'toy-sweep' into run NEW_RUN_ID: 4 rows, one array task each.
            #SBATCH --job-name=alignlab-toy-sweep
            #SBATCH --array=0-3%3
            #SBATCH --output={{logs}}/slurm-%A_%a.out
            #SBATCH --chdir={{Environment.CurrentDirectory}}
            #SBATCH --ntasks=1
            #SBATCH --cpus-per-task=2
            #SBATCH --gpus-per-task=1
            #SBATCH --partition=gpu
            #SBATCH --time=01:30:00
            #SBATCH --mem=4G
            set -euo pipefail
            ROWS=(dpo-n2-beta0.1-seed0 dpo-n2-beta0.5-seed0 dpo-n4-beta0.1-seed0 dpo-n4-beta0.5-seed0)
            ROW=${ROWS[$SLURM_ARRAY_TASK_ID]}
            # torch's intra-op threads: the task's cores. Its GPUs are the ones Slurm lists in CUDA_VISIBLE_DEVICES.
            export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} MKL_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
            echo "== row $ROW: array task ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID} on $(hostname) at $(date -u +%FT%TZ)" >> {{logs}}/"$ROW.log"
            exec {{alignlab}} run {{script}} --set store={{store}} --set methods=dpo --out {{folder.Out}} --row "$ROW" --resume NEW_RUN_ID >> {{logs}}/"$ROW.log" 2>&1

            """.Replace("\r\n", "\n"), run.Output);
        Assert.False(Directory.Exists(store), "a dry run must not create the run");
    }

    [Fact]
    public void LocalDryRun_PrintsTheRowCommands()
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);
        var store = Path.Combine(folder.Path, "runs");

        var run = CliRun.Invoke("sweep", script, "--set", $"store={store}", "--set", "methods=dpo", "--out", folder.Out, "--max-parallel", "2",
            "--cpus-per-task", "1", "--dry-run");

        Assert.Equal("", run.Error);
        Assert.Equal(0, run.ExitCode);
        var alignlab = string.Join(' ', AlignlabLauncher.Command());
        Assert.Equal([$"# 4 rows, 2 at a time, 1 thread(s) each; logs in {store}/{SweepCommand.DryRunId}/logs",
            .. ToySweep.DpoRows.Select(key => $"{alignlab} run {script} --set store={store} --set methods=dpo --out {folder.Out} --row {key} --resume {SweepCommand.DryRunId}"),
            ""], run.Output.Replace("\r\n", "\n").Split('\n'));
        Assert.False(Directory.Exists(store), "a dry run must not create the run");
    }

    [Theory]
    [InlineData("--max-parallel 0", "--max-parallel must be at least 1 (got 0).")]
    [InlineData("--max-parallel -2 --slurm", "--max-parallel must be at least 1 (got -2).")]
    [InlineData("--cpus-per-task 0 --slurm", "--cpus-per-task must be at least 1 (got 0).")]
    [InlineData("--gpus-per-task -1", "--gpus-per-task must be 0 or more (got -1).")]
    [InlineData("--partition gpu", "--partition is a Slurm request; add --slurm, or leave it out to run here.")]
    [InlineData("--slurm --time 2h", "--time must be a Slurm time limit such as 00:30:00, 90 (minutes) or 1-12:00:00 (got '2h').")]
    [InlineData("--slurm --mem lots", "--mem must be a size such as 4G, 500M or 16000 (megabytes) (got 'lots').")]
    public void BadOptions_AreOneLine_AndExitCode2(string options, string message)
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);

        var run = CliRun.Invoke(["sweep", script, "--out", folder.Out, "--dry-run", .. options.Split(' ')]);

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal($"alignlab sweep: {message}\n", run.Error.Replace("\r\n", "\n"));
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void AScriptWithoutAnExperiment_HasNothingToSweep_ExitCode2()
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("no_experiment.csx", "Log(\"only a log line\");");

        var run = CliRun.Invoke("sweep", script, "--out", folder.Out, "--slurm", "--dry-run");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal($"alignlab sweep: {script} runs no experiment (no Experiment.Run() was reached), so it has no rows to sweep.\n", run.Error.Replace("\r\n", "\n"));
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void RunRow_OfAKeyTheExperimentDoesNotHave_ListsItsRows_ExitCode2()
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);

        var run = CliRun.Invoke("run", script, "--set", "methods=dpo", "--set", $"store={folder.Path}/runs", "--out", folder.Out, "--row", "dpo-n3-beta0.1-seed0");

        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal($"alignlab run: experiment 'toy-sweep' has no row 'dpo-n3-beta0.1-seed0'; its rows are: {string.Join(", ", ToySweep.DpoRows)}.\n",
            run.Error.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Status_ReportsEachRowsState_AndAFailedRowWithItsLogsLastLines()
    {
        using var folder = new ScriptFolder();
        var store = RunStore.Open(Path.Combine(folder.Path, "runs"));
        string id, runFolder;
        using (var run = store.StartRun("toy-sweep", 0, config: null, detached: true)) (id, runFolder) = (run.Id, run.Folder);
        var keys = ToySweep.DpoRows;
        new SweepManifest(Path.Combine(folder.Path, "toy_sweep.csx"), new Dictionary<string, string> { ["methods"] = "dpo" }, null, folder.Path, keys,
            [new SweepSubmission(DateTimeOffset.UtcNow, null, keys)]).Write(runFolder);
        var rows = new RowStore(runFolder);
        // Row 0 finished, row 1 failed with an error, row 2 is computed by this (live) process, row 3 never started.
        Directory.CreateDirectory(rows.RowFolder(keys[0]));
        File.WriteAllText(Path.Combine(rows.RowFolder(keys[0]), RowStore.ResultFile), "{}");
        Directory.CreateDirectory(rows.RowFolder(keys[1]));
        (RowAttempt.Start() with { Error = "Steps must be >= 1 (got 0)." }).Write(rows.RowFolder(keys[1]));
        Directory.CreateDirectory(Path.Combine(runFolder, SweepManifest.LogsFolder));
        File.WriteAllLines(SweepManifest.LogPath(runFolder, keys[1]), ["== row start", "loading the base", "", "training", "step 3", "boom: out of patience", "exit 1"]);
        Directory.CreateDirectory(rows.RowFolder(keys[2]));
        RowAttempt.Start().Write(rows.RowFolder(keys[2]));

        var status = CliRun.Invoke("sweep", "status", id, "--root", store.Root);

        Assert.Equal("", status.Error);
        Assert.Equal(0, status.ExitCode);
        var lines = status.Output.Replace("\r\n", "\n").Split('\n');
        Assert.Equal($"run {id}: 1 done, 1 running, 0 pending, 1 failed, 1 missing of 4 rows", lines[0]);
        Assert.Matches($@"^{keys[0]}\s+done\s*$", lines[3]);
        Assert.Matches($@"^{keys[1]}\s+failed\s+Steps must be >= 1 \(got 0\)\.$", lines[4]);
        Assert.Matches($@"^{keys[2]}\s+running\s+pid {Environment.ProcessId} on ", lines[5]);
        Assert.Matches($@"^{keys[3]}\s+missing\s*$", lines[6]);
        // The failed row's log: its last five non-empty lines.
        Assert.Equal([$"{keys[1]} failed; last lines of {SweepManifest.LogPath(runFolder, keys[1])}:",
            "    loading the base", "    training", "    step 3", "    boom: out of patience", "    exit 1"], lines[7..13]);
        Assert.Equal($"rerun failed and missing rows: alignlab sweep {Path.Combine(folder.Path, "toy_sweep.csx")} --set methods=dpo --resume {id}", lines[13]);
    }
}
