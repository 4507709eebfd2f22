using AlignLab.Dsl;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Checkpoints;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// Issue 13: an experiment's rows computed one at a time into a detached run (as a sweep's jobs do), in any order, and
/// then collected give the table and metrics of the experiment run whole; a row already there is skipped; a row process
/// with other settings, an unknown key or a run that is not a sweep's is refused.
/// </summary>
[Collection(TinyToyCollection.Name)]
public sealed class ExperimentSweepTests(TinyToyFixture fixture)
{
    private Experiment Tiny(string store) =>
        Experiment.Named("tiny-sweep").On(fixture.Task).WithScale(fixture.Scale).StoreIn(store).WithProgress(false)
            .Compare(Methods.Base()).Compare(Methods.Dpo(n: 4).Sweep(beta: [0.1, 0.5])).Compare(Methods.BonBon(n: 4, alpha: 0.5))
            .Evaluate(Metrics.WinRate, Metrics.Kl)
            .WithFrontiers(Frontier.BestOfN);

    private static string SweepRun(Experiment experiment)
    {
        using var run = experiment.OpenRunStore().StartRun(experiment.Name, experiment.Seed, experiment, detached: true);
        return run.Id;
    }

    [Fact]
    public void RowsComputedSeparately_InAnyOrder_ThenCollected_GiveTheWholeRunsTableAndMetrics()
    {
        var wholeStore = fixture.NewStore();
        var whole = Tiny(wholeStore).Run();
        var store = fixture.NewStore();
        var experiment = Tiny(store);
        var id = SweepRun(experiment);
        var keys = experiment.MethodSpecs.Select(m => m.Key(experiment.Seed)).ToList();

        foreach (var key in keys.Skip(1).Reverse())
            Assert.Equal($"row {key} of run {id} finished", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, id, key), CancellationToken.None));
        Assert.Equal($"row {keys[1]} finished earlier in run {id}; skipped",
            experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, id, keys[1]), CancellationToken.None));
        var runs = RunStore.Open(store);
        Assert.Equal($"collected 3 of 4 rows of run {id} (1 not finished)", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Collect, id), CancellationToken.None));
        Assert.Equal(RunStatus.Running, runs.Load(id).Manifest.Status);
        Assert.Equal(WithoutTimes(whole.Table).Skip(1), WithoutTimes(runs.Load(id).Table!));

        // Without a run id: the latest sweep run of the experiment.
        Assert.Equal($"row {keys[0]} of run {id} finished", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, null, keys[0]), CancellationToken.None));
        Assert.Equal($"collected all 4 rows of run {id}", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Collect, id), CancellationToken.None));

        var collected = runs.Load(id);
        Assert.Equal(RunStatus.Completed, collected.Manifest.Status);
        Assert.Equal(WithoutTimes(whole.Table), WithoutTimes(collected.Table!));
        Assert.Equal(Logged(RunStore.Open(wholeStore).Load(whole.RunId)), Logged(collected));
        Assert.All(keys, key => Assert.Null(RowAttempt.Read(new RowStore(collected.Folder).RowFolder(key))!.Error));
    }

    [Fact]
    public void ARowProcess_IsRefused_ForAnUnknownKey_AnotherConfig_OrARunThatIsNotASweeps()
    {
        var store = fixture.NewStore();
        var experiment = Tiny(store);
        var id = SweepRun(experiment);

        var unknown = Assert.Throws<UnknownRowException>(() => experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, id, "dpo-n4-beta0.3-seed0"), CancellationToken.None));
        Assert.Equal("experiment 'tiny-sweep' has no row 'dpo-n4-beta0.3-seed0'; its rows are: base-seed0, dpo-n4-beta0.1-seed0, dpo-n4-beta0.5-seed0, "
            + "bonbon-n4-alpha0.5-seed0.", unknown.Message);

        var changed = Assert.Throws<IncompatibleResumeException>(() =>
            experiment.WithSeed(0).WithScale(fixture.Scale with { LearningRate = 0.1 }).RunSweepStep(new ExperimentSweep(SweepStep.Row, id, "base-seed0"), CancellationToken.None));
        Assert.StartsWith($"run {id} was started with other settings: scale.learningRate is 0.1 now but 0.003 in the run;", changed.Message);

        var whole = Tiny(store).Run();
        var notSweep = Assert.Throws<ArgumentException>(() => experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, whole.RunId, "base-seed0"), CancellationToken.None));
        Assert.StartsWith($"run {whole.RunId} is not a sweep's run in progress (Completed", notSweep.Message);
    }

    [Fact]
    public void Plan_HandsOverTheValidatedExperiment_AndAnInvalidOneIsRefusedFirst()
    {
        var experiment = Tiny(fixture.NewStore());
        Experiment? planned = null;
        Assert.Equal("planned 4 rows of experiment 'tiny-sweep'",
            experiment.RunSweepStep(new ExperimentSweep(SweepStep.Plan, Planned: e => planned = e), CancellationToken.None));
        Assert.Same(experiment, planned);

        planned = null;
        Assert.Throws<ExperimentValidationException>(() =>
            experiment.Compare(Methods.Dpo(beta: -1)).RunSweepStep(new ExperimentSweep(SweepStep.Plan, Planned: e => planned = e), CancellationToken.None));
        Assert.Null(planned);
    }

    private static List<string> WithoutTimes(ResultTable table) =>
        [.. table.Rows.Select(row => string.Join(" | ", table.Columns.Where(c => c != "train_seconds").Select(c => ResultTable.Format(row[c]))))];

    private static List<string> Logged(RunRecord run) =>
        [.. run.Metrics.Select(m => $"{m.Step}: " + string.Join(", ", m.Values.Select(kv => $"{kv.Key}={kv.Value:R}")))];
}
