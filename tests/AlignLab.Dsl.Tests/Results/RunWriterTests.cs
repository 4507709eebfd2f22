using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class RunWriterTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-writer-");

    public void Dispose() => folder.Delete(recursive: true);

    private RunStore Store() => RunStore.Open(folder.FullName);

    [Fact]
    public void TornLastMetricsLine_IsIgnored_EarlierLinesLoad()
    {
        var store = Store();
        using var run = store.StartRun("crash", 1);
        run.LogMetrics(1, new Dictionary<string, double> { ["loss"] = 0.5 });
        run.LogMetrics(2, new Dictionary<string, double> { ["loss"] = 0.4 });
        // What a crash in the middle of writing the third record leaves.
        File.AppendAllText(Path.Combine(run.Folder, RunWriter.MetricsFile), "{\"step\":3,\"lo");

        var record = store.Load(run.Id);

        Assert.Equal([1L, 2], record.Metrics.Select(m => m.Step));
        Assert.Equal(RunStatus.Running, record.Manifest.Status);
    }

    [Fact]
    public void LogProgress_WritesLossElapsedAndMetrics_AtTheTrainersStep()
    {
        var store = Store();
        using var run = store.StartRun("progress", 1);

        run.LogProgress(new AlignLab.Engine.Training.TrainingProgress(25, 100, 0.75,
            new Dictionary<string, double> { ["grad_norm"] = 2.5 }, TimeSpan.FromSeconds(1.5)));

        var record = Assert.Single(store.Load(run.Id).Metrics);
        Assert.Equal(25, record.Step);
        Assert.Equal(new Dictionary<string, double> { ["loss"] = 0.75, ["elapsed_s"] = 1.5, ["grad_norm"] = 2.5 }, record.Values);
    }

    [Fact]
    public void MetricsWrittenByTheTrainerItself_AreRead()
    {
        var store = Store();
        using var run = store.StartRun("trainer", 1);
        // The shape of the engine trainer's own JSONL line (TrainerConfig.MetricsPath), NaN as a string.
        File.WriteAllText(run.MetricsPath, "{\"step\":1,\"loss\":\"NaN\",\"elapsed_s\":0.25,\"lr\":0.001}\n");

        var record = Assert.Single(store.Load(run.Id).Metrics);
        Assert.True(double.IsNaN(record.Values["loss"]));
        Assert.Equal(0.001, record.Values["lr"]);
    }

    [Fact]
    public void CorruptMetricsLineInTheMiddle_IsReported_WithItsLineNumber()
    {
        var store = Store();
        using var run = store.StartRun("bad", 1);
        run.LogMetrics(1, new Dictionary<string, double> { ["loss"] = 0.5 });
        File.AppendAllText(Path.Combine(run.Folder, RunWriter.MetricsFile), "garbage\n{\"step\":3,\"loss\":1}\n");

        var error = Assert.Throws<InvalidDataException>(() => store.Load(run.Id));
        Assert.Contains("line 2", error.Message);
    }

    [Fact]
    public void Dispose_WithoutComplete_MarksTheRunFailed()
    {
        var store = Store();
        string id;
        using (var run = store.StartRun("abandoned", 1)) id = run.Id;

        var manifest = store.Load(id).Manifest;

        Assert.Equal(RunStatus.Failed, manifest.Status);
        Assert.Contains("without Complete()", manifest.Error);
    }

    [Fact]
    public void WritingAfterTheRunEnded_Throws()
    {
        using var run = Store().StartRun("done", 1);
        run.Complete();

        Assert.Throws<InvalidOperationException>(() => run.LogMetrics(5, new Dictionary<string, double> { ["loss"] = 1 }));
        Assert.Throws<InvalidOperationException>(() => run.Complete());
    }

    [Fact]
    public void LogMetrics_RejectsAMetricNamedStep()
    {
        using var run = Store().StartRun("x", 1);

        var error = Assert.Throws<ArgumentException>(() => run.LogMetrics(1, new Dictionary<string, double> { ["step"] = 1 }));
        Assert.Equal("values", error.ParamName);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    public void SaveChart_RejectsNamesThatAreNotPlainFileNames(string name)
    {
        using var run = Store().StartRun("x", 1);

        var error = Assert.Throws<ArgumentException>(() => run.SaveChart(name, Plots.ChartSamples.Training()));
        Assert.Equal("name", error.ParamName);
    }

    [Fact]
    public void WriteText_RefusesTheStoresOwnFiles()
    {
        using var run = Store().StartRun("x", 1);

        Assert.Equal("fileName", Assert.Throws<ArgumentException>(() => run.WriteText("run.json", "{}")).ParamName);
    }

    [Fact]
    public void RunFolder_HoldsNoTemporaryFiles_AfterARun()
    {
        using var run = Store().StartRun("clean", 1);
        run.WriteTable(ResultTableTests.Sample());
        run.SaveChart("c", Plots.ChartSamples.Training());
        run.Complete();

        var files = Directory.GetFiles(folder.FullName, "*", SearchOption.AllDirectories);
        Assert.DoesNotContain(files, AtomicFile.IsTemporaryFile);
        Assert.Equal(["run.json", "table.csv", "table.json"],
            Directory.GetFiles(run.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
