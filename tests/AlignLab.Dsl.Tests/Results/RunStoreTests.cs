using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class RunStoreTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-runs-");

    private sealed record ToyConfig(string Method, int N, double Beta, IReadOnlyList<int> Seeds);

    public void Dispose() => folder.Delete(recursive: true);

    private RunStore Store() => RunStore.Open(Path.Combine(folder.FullName, "runs"));

    [Fact]
    public void StartRun_WritesAManifestWithSeedConfigAndVersions()
    {
        using var run = Store().StartRun("BoNBoN vs DPO", seed: 42, new ToyConfig("bonbon", 8, 0.1, [1, 2]), sourceDirectory: folder.FullName);

        var manifest = JsonSerializer.Deserialize<JsonElement>(File.ReadAllText(Path.Combine(run.Folder, "run.json")));

        Assert.Matches(@"^\d{8}-\d{6}-bonbon-vs-dpo-[0-9a-f]{4}$", run.Id);
        Assert.Equal(42, manifest.GetProperty("seed").GetInt64());
        Assert.Equal("Running", manifest.GetProperty("status").GetString());
        var config = manifest.GetProperty("config");
        Assert.Equal("bonbon", config.GetProperty("method").GetString());
        Assert.Equal(8, config.GetProperty("n").GetInt32());
        Assert.Equal(0.1, config.GetProperty("beta").GetDouble());
        var versions = manifest.GetProperty("versions");
        Assert.StartsWith(".NET", versions.GetProperty("dotNet").GetString());
        Assert.Equal("0.107.0", versions.GetProperty("torchSharp").GetString());
        Assert.Equal("0.1.0", versions.GetProperty("alignLab").GetString());
        Assert.Equal(JsonValueKind.Null, manifest.GetProperty("gitCommit").ValueKind); // a temp folder is in no repository
    }

    [Fact]
    public void StartRun_RecordsTheGitCommitOfTheSourceFolder()
    {
        const string commit = "89abcdef0123456789abcdef0123456789abcdef";
        var git = Directory.CreateDirectory(Path.Combine(folder.FullName, "repo", ".git")).FullName;
        File.WriteAllText(Path.Combine(git, "HEAD"), commit);

        using var run = Store().StartRun("x", 1, sourceDirectory: Path.Combine(folder.FullName, "repo"));

        Assert.Equal(commit, run.Manifest.GitCommit);
        Assert.Equal(commit, Store().Load(run.Id).Manifest.GitCommit);
    }

    [Fact]
    public void CompletedRun_LoadsBackEverythingItWrote()
    {
        var store = Store();
        string id;
        using (var run = store.StartRun("round trip", 7, new ToyConfig("dpo", 4, 0.5, [3])))
        {
            id = run.Id;
            run.LogMetrics(1, new Dictionary<string, double> { ["loss"] = 0.9, ["kl"] = 0.01 });
            run.LogMetrics(2, new Dictionary<string, double> { ["loss"] = 0.7 });
            run.LogMetrics(3, new Dictionary<string, double> { ["loss"] = double.NaN, ["kl"] = 0.03 });
            run.WriteTable(ResultTableTests.Sample());
            run.SaveChart("frontier", Plots.ChartSamples.Frontier());
            run.WriteText("notes.md", "# notes");
            run.Complete();
        }

        var record = store.Load(id);

        Assert.Equal(RunStatus.Completed, record.Manifest.Status);
        Assert.NotNull(record.Manifest.EndedUtc);
        Assert.Null(record.Manifest.Error);
        Assert.Equal(7, record.Manifest.Seed);
        Assert.Equal("dpo", record.Manifest.Config.GetProperty("method").GetString());
        Assert.Equal([1L, 2, 3], record.Metrics.Select(m => m.Step));
        Assert.Equal(0.01, record.Metrics[0].Values["kl"]);
        Assert.False(record.Metrics[1].Values.ContainsKey("kl"));
        Assert.True(double.IsNaN(record.Metrics[2].Values["loss"]));
        Assert.NotNull(record.Table);
        Assert.Equal(ResultTableTests.Sample().ToJson(), record.Table.ToJson());
        Assert.Equal(ResultTableTests.Sample().ToCsv(), File.ReadAllText(Path.Combine(record.Folder, "table.csv")));
        Assert.Equal([Path.Combine(record.Folder, "charts", "frontier.html")], record.Charts);
        Assert.Equal("# notes", File.ReadAllText(Path.Combine(record.Folder, "notes.md")));
    }

    [Fact]
    public void List_ReturnsEveryRunOldestFirst_WithItsStatus()
    {
        var store = Store();
        using var a = store.StartRun("a", 1);
        a.Complete();
        using var b = store.StartRun("b", 2);
        b.Fail("loss became NaN at step 3");
        using var c = store.StartRun("c", 3);

        var runs = store.List();

        Assert.Equal([a.Id, b.Id, c.Id], runs.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(runs.Select(r => r.Id).Order(StringComparer.Ordinal), runs.Select(r => r.Id));
        Assert.Equal(RunStatus.Completed, runs.Single(r => r.Id == a.Id).Status);
        Assert.Equal(RunStatus.Failed, runs.Single(r => r.Id == b.Id).Status);
        Assert.Equal(RunStatus.Running, runs.Single(r => r.Id == c.Id).Status);
        Assert.Equal("loss became NaN at step 3", store.Load(b.Id).Manifest.Error);
    }

    [Fact]
    public void List_OfAMissingFolder_IsEmpty() => Assert.Empty(RunStore.Open(Path.Combine(folder.FullName, "none")).List());

    [Fact]
    public void Index_SurvivesACrashBetweenTheManifestAndTheIndexWrite()
    {
        var store = Store();
        using var first = store.StartRun("first", 1);
        first.Complete();
        var indexPath = Path.Combine(store.Root, "index.json");
        var indexBefore = File.ReadAllText(indexPath);
        using var second = store.StartRun("second", 2);
        second.Complete();
        // Simulate a crash after the second run's manifests were written but before its index update was renamed into
        // place: the index is the old one, and a half-written temporary index lies beside it.
        File.WriteAllText(indexPath, indexBefore);
        File.WriteAllText(Path.Combine(store.Root, ".index.json.deadbeef.tmp"), indexBefore[..(indexBefore.Length / 2)]);

        var runs = RunStore.Open(store.Root).List();

        Assert.Equal([first.Id, second.Id], runs.Select(r => r.Id));
        Assert.All(runs, r => Assert.Equal(RunStatus.Completed, r.Status));
        Assert.Contains(second.Id, File.ReadAllText(indexPath)); // repaired on disk too
        using var index = JsonDocument.Parse(File.ReadAllText(indexPath));
        Assert.Equal(2, index.RootElement.GetArrayLength());
    }

    [Fact]
    public void List_RefreshesARunThatCompletedAfterTheIndexLastSawItRunning()
    {
        var store = Store();
        using var run = store.StartRun("x", 1);
        var indexWhileRunning = File.ReadAllText(Path.Combine(store.Root, "index.json"));
        run.Complete();
        File.WriteAllText(Path.Combine(store.Root, "index.json"), indexWhileRunning);

        Assert.Equal(RunStatus.Completed, store.List().Single().Status);
    }

    [Fact]
    public void CorruptIndex_IsRebuiltFromTheRunFolders()
    {
        var store = Store();
        using var run = store.StartRun("x", 1);
        run.Complete();
        File.WriteAllText(Path.Combine(store.Root, "index.json"), "{ not json");

        Assert.Equal([run.Id], store.List().Select(r => r.Id));
        Assert.StartsWith("[", File.ReadAllText(Path.Combine(store.Root, "index.json")));
    }

    [Fact]
    public void DeletedRunFolder_IsDroppedFromTheIndex()
    {
        var store = Store();
        using var keep = store.StartRun("keep", 1);
        using var gone = store.StartRun("gone", 2);
        keep.Complete();
        gone.Complete();
        Directory.Delete(gone.Folder, recursive: true);

        Assert.Equal([keep.Id], store.List().Select(r => r.Id));
        Assert.DoesNotContain(gone.Id, File.ReadAllText(Path.Combine(store.Root, "index.json")));
    }

    [Fact]
    public void ConcurrentRuns_AllReachTheIndex()
    {
        var store = Store();

        var ids = Enumerable.Range(0, 8).AsParallel().WithDegreeOfParallelism(8).Select(i =>
        {
            using var run = store.StartRun($"parallel {i}", i);
            run.Complete();
            return run.Id;
        }).ToArray();

        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(store.Root, "index.json")));
        var indexed = index.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        Assert.Equal(ids.ToHashSet(), indexed);
    }

    [Fact]
    public void RunWhoseProcessDied_IsListedInterrupted_AndCancelledRunsSayWhatWasSaved()
    {
        var store = Store();
        using var dead = store.StartRun("killed", 1);
        using var alive = store.StartRun("alive", 2);
        using var cancelled = store.StartRun("cancelled", 3);
        cancelled.Cancel("2 of 5 rows finished");
        Assert.Equal(Environment.ProcessId, alive.Manifest.Process!.Pid);
        // The manifest a SIGKILLed process leaves: still running, its process gone (a pid no process has).
        var path = Path.Combine(dead.Folder, RunWriter.ManifestFile);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        manifest["process"]!["pid"] = int.MaxValue;
        File.WriteAllText(path, manifest.ToJsonString());

        var runs = store.List().ToDictionary(r => r.Name, r => r.Status);
        Assert.Equal(RunStatus.Interrupted, runs["killed"]);
        Assert.Equal(RunStatus.Running, runs["alive"]);
        Assert.Equal(RunStatus.Cancelled, runs["cancelled"]);
        Assert.Contains("ended without closing the run", store.Load(dead.Id).Manifest.Error);
        Assert.Contains("\"Interrupted\"", File.ReadAllText(path));
        Assert.Equal("2 of 5 rows finished", store.Load(cancelled.Id).Manifest.Error);
    }

    [Fact]
    public void RunDisposedAfterTheHostsCtrlC_IsCancelled_NotFailed()
    {
        var store = Store();
        string id;
        AlignLab.Engine.Runtime.AmbientCancellation.Token = new CancellationToken(canceled: true);
        try
        {
            using var run = store.StartRun("stopped", 1);
            id = run.Id;
        }
        finally
        {
            AlignLab.Engine.Runtime.AmbientCancellation.Token = CancellationToken.None;
        }
        Assert.Equal(RunStatus.Cancelled, store.Load(id).Manifest.Status);
        Assert.Equal("stopped by Ctrl-C before Complete() was called", store.Load(id).Manifest.Error);
    }

    [Fact]
    public void DamagedRunFolders_AreListedWithTheReason_AndLoadNamesIt()
    {
        var store = Store();
        using var good = store.StartRun("good", 1);
        good.Complete();
        using var torn = store.StartRun("torn", 2);
        File.WriteAllText(Path.Combine(torn.Folder, RunWriter.ManifestFile), "{\"id\": \"x\", \"name\"");
        Directory.CreateDirectory(Path.Combine(store.Root, "20260101-000000-empty-0000"));

        Assert.Equal([good.Id], store.List().Select(r => r.Id));
        var damaged = store.Damaged();
        Assert.Equal(["20260101-000000-empty-0000", torn.Id], damaged.Select(d => d.Id));
        Assert.Equal("no run.json", damaged[0].Reason);
        Assert.Contains("is not valid JSON", damaged[1].Reason);
        var e = Assert.Throws<InvalidDataException>(() => store.Load(torn.Id));
        Assert.StartsWith($"run {torn.Id} is damaged: ", e.Message);
    }

    [Fact]
    public void ResumeRun_ReopensTheLatestRunOfTheName_AndRefusesAnotherConfigUnlessAllowed()
    {
        var store = Store();
        var config = new ToyConfig("dpo", 8, 0.1, [1]);
        using (var first = store.StartRun("exp", 1, config)) first.Cancel("1 of 2 rows finished");
        string latest;
        using (var second = store.StartRun("exp", 1, config)) { second.Cancel("0 of 2 rows finished"); latest = second.Id; }

        var changed = Assert.Throws<AlignLab.Engine.Checkpoints.IncompatibleResumeException>(() => store.ResumeRun(null, "exp", config with { Beta = 0.9 }));
        Assert.StartsWith($"cannot resume run {latest}: beta is 0.9 now but 0.1 in the run;", changed.Message);
        Assert.Contains("no run of experiment 'other'", Assert.Throws<ArgumentException>(() => store.ResumeRun(null, "other", config)).Message);

        using (var resumed = store.ResumeRun(null, "exp", config with { Beta = 0.9 }, allowConfigChange: true))
        {
            Assert.Equal(latest, resumed.Id);
            Assert.Equal(RunStatus.Running, store.Load(latest).Manifest.Status);
            Assert.Contains("still running", Assert.Throws<InvalidOperationException>(() => store.ResumeRun(latest, "exp", config)).Message);
            resumed.Complete();
        }
        var manifest = store.Load(latest).Manifest;
        Assert.Equal(RunStatus.Completed, manifest.Status);
        var resume = Assert.Single(manifest.Resumes!);
        Assert.Equal(new AlignLab.Engine.Checkpoints.ConfigDifference("beta", "0.1", "0.9"), Assert.Single(resume.ConfigChanges));
        Assert.Equal(0.9, manifest.Config.GetProperty("beta").GetDouble());
    }

    [Fact]
    public void Load_AcceptsAUniquePrefix_AndNamesTheProblemOtherwise()
    {
        var store = Store();
        using var a = store.StartRun("alpha", 1);
        using var b = store.StartRun("beta", 2);

        Assert.Equal(a.Id, store.Load(a.Id[..^5]).Manifest.Id);   // without the random suffix
        var ambiguous = Assert.Throws<ArgumentException>(() => store.Load(a.Id[..8]));  // the date only
        Assert.Contains("matches 2 runs", ambiguous.Message);
        var unknown = Assert.Throws<ArgumentException>(() => store.Load("19990101"));
        Assert.Contains("no run '19990101'", unknown.Message);
        Assert.Equal("id", unknown.ParamName);
    }

    [Fact]
    public void StartRun_RejectsAConfigThatIsNotJson()
    {
        var error = Assert.Throws<ArgumentException>(() => Store().StartRun("x", 1, new { Callback = (Func<int, int>)(i => i) }));
        Assert.Equal("config", error.ParamName);
        Assert.Contains("cannot be saved as JSON", error.Message);
    }

    [Fact]
    public void OpenDefault_UsesTheEnvironmentVariable()
    {
        var root = Path.Combine(folder.FullName, "from-env");
        var previous = Environment.GetEnvironmentVariable(RunStore.RootEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(RunStore.RootEnvironmentVariable, root);
            Assert.Equal(root, RunStore.OpenDefault().Root);
        }
        finally
        {
            Environment.SetEnvironmentVariable(RunStore.RootEnvironmentVariable, previous);
        }
    }
}
