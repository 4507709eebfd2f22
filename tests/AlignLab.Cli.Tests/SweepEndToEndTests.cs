using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlignLab.Cli.Tests;

/// <summary>
/// Issue 13 end to end, with <c>alignlab</c> as separate processes: a sweep run locally and one submitted to a real
/// single-node Slurm (<see cref="SlurmCluster"/>) collect the same table as the experiment run in one process at the same
/// seed, and resubmitting a sweep after one array task was cancelled runs only that row. Every process computes with
/// one thread, as the sweep's rows do (<c>--cpus-per-task 1</c>), so the tables agree to the last bit.
/// </summary>
public partial class SweepEndToEndTests
{
    private static readonly Dictionary<string, string> OneThread = new() { ["OMP_NUM_THREADS"] = "1", ["MKL_NUM_THREADS"] = "1", ["OMP_WAIT_POLICY"] = "passive" };

    [Fact]
    public void LocalSweep_TwoRowsAtATime_CollectsTheTableOfTheOneProcessRun()
    {
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);
        string cache = Path.Combine(folder.Path, "cache"), single = Path.Combine(folder.Path, "single"), swept = Path.Combine(folder.Path, "swept");

        // The cache is empty: the sweep pretrains the base once before its rows start.
        var sweep = AlignlabProcess.Run(OneThread, "sweep", script, "--set", "methods=dpo", "--set", $"store={swept}", "--set", $"cache={cache}",
            "--out", folder.Out, "--max-parallel", "2", "--cpus-per-task", "1");
        var expected = OneProcessTable(script, single, cache, "dpo");

        Assert.True(sweep.ExitCode == 0, sweep.Error + sweep.Output);
        var run = ToySweep.OnlyRun(swept);
        Assert.Contains($"run {Path.GetFileName(run)}: 4 of 4 rows, 2 at a time with 1 thread(s) each", sweep.Output);
        foreach (var key in ToySweep.DpoRows)
        {
            Assert.Contains($"] {key}: done (", sweep.Output);
            Assert.Contains($"row {key} of run {Path.GetFileName(run)} finished", File.ReadAllText(Path.Combine(run, "logs", key + ".log")));
        }
        Assert.Equal(expected, ToySweep.TableWithoutTimes(run));
        Assert.Equal("Completed", RunStatus(run));

        var again = AlignlabProcess.Run(OneThread, "sweep", script, "--set", "methods=dpo", "--set", $"store={swept}", "--set", $"cache={cache}",
            "--out", folder.Out, "--resume", Path.GetFileName(run));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("is not a sweep's run in progress (Completed)", again.Error);
    }

    [SkippableFact]
    public void SlurmSweep_CollectsTheTableOfTheOneProcessRun_AndAResubmissionRunsOnlyTheCancelledRow()
    {
        using var cluster = SlurmCluster.Start();
        using var folder = new ScriptFolder();
        var script = folder.Write("toy_sweep.csx", ToySweep.Script);
        string cache = Path.Combine(folder.Path, "cache"), single = Path.Combine(folder.Path, "single"), swept = Path.Combine(folder.Path, "swept");
        // The one-process run also pretrains the base into the cache that the array tasks then load.
        var expected = OneProcessTable(script, single, cache, "dpo,ipo");
        var environment = new Dictionary<string, string>(OneThread);
        foreach (var (name, value) in cluster.Environment) environment[name] = value;
        string[] Sweep(params string[] more) =>
            ["sweep", script, "--set", $"store={swept}", "--set", $"cache={cache}", "--out", folder.Out, "--slurm", .. more];

        var submitted = AlignlabProcess.Run(environment, Sweep("--max-parallel", "2"));
        Assert.True(submitted.ExitCode == 0, submitted.Error + submitted.Output);
        var job = JobId().Match(submitted.Output);
        Assert.True(job.Success, submitted.Output);
        Assert.Contains("(array 0-7%2)", submitted.Output);
        var run = ToySweep.OnlyRun(swept);
        var id = Path.GetFileName(run);
        // Two tasks run at a time, so the last one is still queued (squeue says so): cancel it.
        var queued = AlignlabProcess.Run(environment, "sweep", "status", id, "--root", swept);
        Assert.Matches($@"ipo-n4-beta0\.5-seed0\s+pending\s+Slurm task {job.Groups[1].Value}_7 pending", queued.Output);
        Assert.Equal(0, cluster.Run("scancel", $"{job.Groups[1].Value}_7").ExitCode);
        cluster.WaitForEmptyQueue(TimeSpan.FromMinutes(5));

        var status = AlignlabProcess.Run(environment, "sweep", "status", id, "--root", swept);
        Assert.True(status.ExitCode == 0, status.Error);
        Assert.StartsWith($"run {id}: 7 done, 0 running, 0 pending, 0 failed, 1 missing of 8 rows", status.Output);
        Assert.Matches(@"ipo-n4-beta0\.5-seed0\s+missing\s+Slurm task \d+_7", status.Output);
        Assert.Contains($"rerun failed and missing rows: alignlab sweep {script} --set store={swept} --set cache={cache} --out {folder.Out} --resume {id} "
            + "--slurm --cpus-per-task 1 --max-parallel 2", status.Output);
        var attempts = Directory.GetDirectories(Path.Combine(run, "rows")).ToDictionary(d => Path.GetFileName(d), d => File.ReadAllText(Path.Combine(d, "attempt.json")));
        Assert.Equal(7, attempts.Count);

        var resubmitted = AlignlabProcess.Run(environment, Sweep("--resume", id));
        Assert.True(resubmitted.ExitCode == 0, resubmitted.Error + resubmitted.Output);
        Assert.Contains("submitted 1 of 8 rows of experiment 'toy-sweep' as Slurm job", resubmitted.Output);
        Assert.Contains("(array 0-0)", resubmitted.Output);
        cluster.WaitForEmptyQueue(TimeSpan.FromMinutes(2));
        // Only the cancelled row ran again: the others' attempts are untouched.
        foreach (var (key, attempt) in attempts) Assert.Equal(attempt, File.ReadAllText(Path.Combine(run, "rows", key, "attempt.json")));
        using (var sweep = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "sweep.json"))))
            Assert.Equal(["ipo-n4-beta0.5-seed0"], sweep.RootElement.GetProperty("submissions")[1].GetProperty("rows").EnumerateArray().Select(r => r.GetString()));

        var collected = AlignlabProcess.Run(environment, "sweep", "collect", id, "--root", swept);
        Assert.True(collected.ExitCode == 0, collected.Error + collected.Output);
        Assert.Contains($"alignlab: collected all 8 rows of run {id}", collected.Output);
        Assert.Equal(expected, ToySweep.TableWithoutTimes(run));
        Assert.Equal("Completed", RunStatus(run));
        var again = AlignlabProcess.Run(environment, "sweep", "collect", id, "--root", swept);
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.StartsWith($"run {id} was collected with all 8 rows:", again.Output);
    }

    /// <summary>The table of the experiment run whole in one process (one thread), its store <paramref name="store"/>.</summary>
    private static string OneProcessTable(string script, string store, string cache, string methods)
    {
        var single = AlignlabProcess.Run(OneThread, "run", script, "--set", $"methods={methods}", "--set", $"store={store}", "--set", $"cache={cache}",
            "--out", Path.Combine(Path.GetDirectoryName(script)!, "out"));
        Assert.True(single.ExitCode == 0, single.Error);
        return ToySweep.TableWithoutTimes(ToySweep.OnlyRun(store));
    }

    private static string RunStatus(string runFolder)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "run.json")));
        return manifest.RootElement.GetProperty("status").ToString();
    }

    [GeneratedRegex(@"as Slurm job (\d+) ")]
    private static partial Regex JobId();
}
