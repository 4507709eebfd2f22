using AlignLab.Dsl;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Training;
using AlignLab.Tests;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// Issue 14: an experiment stopped by Ctrl-C (its cancellation token) mid-row resumes from the run's row store and the
/// row's checkpoint and ends with the table and metrics of an uninterrupted run; a resume with other settings is refused.
/// </summary>
[Collection(TinyToyCollection.Name)]
public sealed class ExperimentResumeTests(TinyToyFixture fixture)
{
    private const string Dpo = "DPO(n=4, β=0.5)";

    private Experiment Tiny(string store) =>
        Experiment.Named("tiny-resume").On(fixture.Task).WithScale(fixture.Scale with { Steps = 12 }).StoreIn(store).WithProgress(false)
            .Compare(Methods.Base(), Methods.BonBon(n: 4, alpha: 0.5), Methods.Dpo(beta: 0.5, n: 4), Methods.JBond())
            .Evaluate(Metrics.WinRate, Metrics.Kl)
            .WithFrontiers(Frontier.BestOfN)
            .WithCheckpoints(every: 4);

    [Fact]
    public void CancelledMidRow_ThenResumed_GivesTheTableAndMetricsOfAnUninterruptedRun()
    {
        var straightStore = fixture.NewStore();
        var straight = Tiny(straightStore).Run();

        // "Ctrl-C" when the DPO row reports its first progress line (step 2 of 12): it stops before step 3, off the checkpoint grid.
        var store = fixture.NewStore();
        var cancelled = CtrlC.AtFirstProgressOf(Dpo, Tiny(store));
        Assert.Equal($"2 of 4 rows finished; {Dpo} saved at step 2 of 12", cancelled.Saved);
        var runs = RunStore.Open(store);
        Assert.Equal(RunStatus.Cancelled, runs.Load(cancelled.RunId).Manifest.Status);
        var rows = new RowStore(runs.Load(cancelled.RunId).Folder);
        Assert.Equal(2, rows.FinishedKeys().Count);
        Assert.Equal(2, AlignLab.Engine.Training.Trainer.CheckpointStep(rows.RowFolder(Methods.Dpo(beta: 0.5, n: 4).Key(0))));

        var resumed = Tiny(store).Run(new ExperimentResume(), CancellationToken.None);

        Assert.Equal(cancelled.RunId, resumed.RunId);
        Assert.Equal(RunStatus.Completed, runs.Load(resumed.RunId).Manifest.Status);
        Assert.Equal(WithoutTimes(straight.Table), WithoutTimes(resumed.Table));
        Assert.Equal(straight.Rows.Select(r => r.FinalLoss), resumed.Rows.Select(r => r.FinalLoss));
        // Every step logged once, with the numbers of the uninterrupted run (the resumed DPO row continues after step 2).
        Assert.Equal(Logged(RunStore.Open(straightStore).Load(straight.RunId)), Logged(runs.Load(resumed.RunId)));
        // The TensorBoard event files hold exactly the metrics.jsonl records: the steps the cancelled row logged past its checkpoint once.
        foreach (var record in new[] { RunStore.Open(straightStore).Load(straight.RunId), runs.Load(resumed.RunId) })
            Assert.Equal(record.Metrics.SelectMany(m => m.Values.Select(v => (m.Step, v.Key, (float)v.Value))),
                TensorBoardEvents.ReadFolder(Path.Combine(record.Folder, TensorBoardLog.FolderName)).Select(s => (s.Step, s.Tag, s.Value)));
    }

    [Fact]
    public void ResumeWithAnotherLearningRate_IsRefusedNamingTheField_AndACancelledStartKeepsNothing()
    {
        var store = fixture.NewStore();
        var cancelled = Assert.Throws<ExperimentCancelledException>(() => Tiny(store).Run(null, new CancellationToken(canceled: true)));
        Assert.Equal("0 of 4 rows finished", cancelled.Saved);

        var changed = Tiny(store).WithScale(fixture.Scale with { Steps = 12, LearningRate = 0.5 });
        var e = Assert.Throws<IncompatibleResumeException>(() => changed.Run(new ExperimentResume(), CancellationToken.None));
        Assert.StartsWith($"cannot resume run {cancelled.RunId}: scale.learningRate is 0.5 now but 0.003 in the run;", e.Message);
        Assert.Equal(RunStatus.Cancelled, RunStore.Open(store).Load(cancelled.RunId).Manifest.Status);

        var allowed = changed.Run(new ExperimentResume(cancelled.RunId, AllowConfigChange: true), CancellationToken.None);
        var resume = Assert.Single(RunStore.Open(store).Load(allowed.RunId).Manifest.Resumes!);
        Assert.Equal("scale.learningRate", Assert.Single(resume.ConfigChanges).Field);
    }

    private static List<string> WithoutTimes(ResultTable table) =>
        [.. table.Rows.Select(row => string.Join(" | ", table.Columns.Where(c => c != "train_seconds").Select(c => ResultTable.Format(row[c]))))];

    private static List<string> Logged(RunRecord run) =>
        [.. run.Metrics.Select(m => $"{m.Step}: " + string.Join(", ", m.Values.Select(kv => $"{kv.Key}={kv.Value:R}")))];
}
