using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Tests;

/// <summary>
/// Issue 14, end to end with real signals: an experiment script stopped with Ctrl-C (SIGINT) mid-row exits 130 with its
/// run cancelled, one killed with SIGKILL is listed interrupted, a resume with another learning rate is refused naming
/// the field, and <c>--resume</c> finishes either with the table and metrics of an uninterrupted run at the same seed.
/// </summary>
public sealed class ExperimentInterruptTests(ExperimentInterruptTests.Uninterrupted straight) : IClassFixture<ExperimentInterruptTests.Uninterrupted>
{
    private const string Dpo = "DPO(n=4, β=0.5)";

    /// <summary>Four rows on a tiny toy task (256 responses, 6 prompts), 120 steps each, checkpointed every 20 steps.</summary>
    private const string Script = """
        var scale = new ExperimentScale(Steps: 120, LearningRate: Arg("lr", 0.003), WarmupSteps: 0, PairBatchSize: 8, PromptBatchSize: 4,
            SamplesPerPrompt: 2, CdfSamples: 16, LogEvery: 10);
        var result = Experiment.Named("interrupt-me")
            .On(Tasks.ToyLanguage(seed: 3, vocabSize: 4, responseLength: 4, promptCount: 6)
                .WithBase(new ToyBaseConfig(DModel: 16, Heads: 2, Layers: 1, Steps: 80, BatchSize: 128)).CachedIn(Arg("cache", "")))
            .Compare(Methods.Base(), Methods.BonBon(n: 4, alpha: 0.5), Methods.Dpo(beta: 0.5, n: 4), Methods.Vbon(n: 4))
            .Evaluate(Metrics.WinRate, Metrics.Kl)
            .WithScale(scale).WithCheckpoints(every: 20).StoreIn(Arg("store", ""))
            .Run();
        Log($"run {result.RunId}");
        """;

    /// <summary>The script, a shared base-model cache, and the run of the script left alone.</summary>
    public sealed class Uninterrupted : IDisposable
    {
        public Uninterrupted()
        {
            Path = Directory.CreateTempSubdirectory("alignlab-interrupt-").FullName;
            ScriptPath = System.IO.Path.Combine(Path, "interrupt_me.csx");
            File.WriteAllText(ScriptPath, Script);
            var (exitCode, _, error) = AlignlabProcess.Run(Arguments(Store("straight")));
            Assert.True(exitCode == 0, error);
            Run = RunStore.Open(Store("straight")).Load(RunStore.Open(Store("straight")).List().Single().Id);
        }

        public string Path { get; }
        public string ScriptPath { get; }
        public RunRecord Run { get; }

        public string Store(string name) => System.IO.Path.Combine(Path, "runs-" + name);

        public string[] Arguments(string store, params string[] more) =>
            ["run", ScriptPath, "--out", System.IO.Path.Combine(Path, "out"), "--set", $"store={store}", "--set", $"cache={System.IO.Path.Combine(Path, "cache")}", .. more];

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }

    [Fact]
    public void CtrlC_DuringARow_Exits130_Cancelled_AndResumeFinishesWithTheUninterruptedTable()
    {
        var store = straight.Store("sigint");
        var (exitCode, error) = StopDuring(store, Dpo, atStep: 10, kill: false);

        Assert.Equal(130, exitCode);
        var runs = RunStore.Open(store);
        var run = runs.List().Single();
        Assert.Equal(RunStatus.Cancelled, run.Status);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("alignlab: stopping at the next step and saving a checkpoint (Ctrl-C again to quit at once)...", lines);
        var cancelled = Assert.Single(lines, l => l.StartsWith("alignlab: cancelled: ", StringComparison.Ordinal));
        Assert.StartsWith($"alignlab: cancelled: run {run.Id} stopped: 2 of 4 rows finished; {Dpo} saved at step ", cancelled);
        Assert.EndsWith($"Resume with: alignlab run {straight.ScriptPath} --set store={store} --set cache={Path.Combine(straight.Path, "cache")} "
            + $"--out {Path.Combine(straight.Path, "out")} --resume {run.Id}", cancelled);
        Assert.Contains(" cancelled ", CliRun.Invoke("runs", "list", "--root", store).Output);

        // Another learning rate on resume: one clear line, the run untouched.
        var changed = AlignlabProcess.Run(straight.Arguments(store, "--set", "lr=0.03", "--resume"));
        Assert.Equal(1, changed.ExitCode);
        var refusal = Assert.Single(changed.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"IncompatibleResumeException: cannot resume run {run.Id}: scale.learningRate is 0.03 now but 0.003 in the run;", refusal);
        Assert.Equal(RunStatus.Cancelled, runs.Load(run.Id).Manifest.Status);

        AssertResumedLikeUninterrupted(store, run.Id, "--resume", run.Id);
    }

    [Fact]
    public void SigKill_DuringARow_LeavesTheRunInterrupted_AndResumeFinishesWithTheUninterruptedTable()
    {
        var store = straight.Store("sigkill");
        var (exitCode, _) = StopDuring(store, Dpo, atStep: 50, kill: true);

        Assert.Equal(137, exitCode);
        var run = RunStore.Open(store).List().Single();
        Assert.Equal(RunStatus.Interrupted, run.Status);
        Assert.Contains(" interrupted ", CliRun.Invoke("runs", "list", "--root", store).Output);

        AssertResumedLikeUninterrupted(store, run.Id, "--resume");
    }

    private void AssertResumedLikeUninterrupted(string store, string runId, params string[] resume)
    {
        var (exitCode, output, error) = AlignlabProcess.Run(straight.Arguments(store, resume));
        Assert.True(exitCode == 0, error);
        Assert.Contains($"run {runId}", output);
        Assert.Contains("BoNBoN(n=4, α=0.5): finished earlier in run", error);
        var resumed = RunStore.Open(store).Load(runId);
        Assert.Equal(RunStatus.Completed, resumed.Manifest.Status);
        Assert.Equal(WithoutTimes(straight.Run.Table!), WithoutTimes(resumed.Table!));
        // Every step logged once, with the uninterrupted run's numbers: what the stopped process logged past its
        // checkpoint was dropped and logged again by the resume.
        Assert.Equal(Logged(straight.Run), Logged(resumed));
    }

    /// <summary>Runs the script into <paramref name="store"/> and stops it once <paramref name="row"/> reports a step ≥ atStep.</summary>
    private (int ExitCode, string Error) StopDuring(string store, string row, int atStep, bool kill)
    {
        using var process = AlignlabProcess.Start(straight.Arguments(store));
        var output = process.StandardOutput.ReadToEndAsync();
        var error = new System.Text.StringBuilder();
        try
        {
            while (process.StandardError.ReadLine() is { } line)
            {
                error.AppendLine(line);
                if (!line.StartsWith(row, StringComparison.Ordinal) || StepOf(line) < atStep) continue;
                if (kill) process.Kill(entireProcessTree: true);
                else AlignlabProcess.Interrupt(process);
                error.Append(process.StandardError.ReadToEnd());
                return (AlignlabProcess.Exit(process), error.ToString());
            }
            Assert.Fail($"the run ended (exit {AlignlabProcess.Exit(process)}) before {row} reached step {atStep}: {error}");
            return default;
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            output.Wait();
        }
    }

    private static int StepOf(string progressLine) =>
        System.Text.RegularExpressions.Regex.Match(progressLine, @"step\s+(\d+)/") is { Success: true } m ? int.Parse(m.Groups[1].Value) : -1;

    private static List<string> WithoutTimes(ResultTable table) =>
        [.. table.Rows.Select(row => string.Join(" | ", table.Columns.Where(c => c != "train_seconds").Select(c => ResultTable.Format(row[c]))))];

    private static List<string> Logged(RunRecord run) =>
        [.. run.Metrics.Select(m => $"{m.Step}: " + string.Join(", ", m.Values.Select(kv => $"{kv.Key}={kv.Value:R}")))];
}
