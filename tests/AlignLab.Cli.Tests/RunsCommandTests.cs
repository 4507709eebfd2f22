using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Tests;

public sealed class RunsCommandTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-runs-cli-");

    public void Dispose() => folder.Delete(recursive: true);

    private string Root => Path.Combine(folder.FullName, "runs");

    private sealed record Config(string Method, double Beta);

    private string Run(string name, long seed, double finalLoss, double? finalKl, bool complete = true)
    {
        using var run = RunStore.Open(Root).StartRun(name, seed, new Config(name, 0.1));
        run.LogMetrics(1, new Dictionary<string, double> { ["loss"] = 1.0 });
        var last = new Dictionary<string, double> { ["loss"] = finalLoss };
        if (finalKl is { } kl) last["kl"] = kl;
        run.LogMetrics(100, last);
        run.WriteTable(ResultTable.FromRows([new Dictionary<string, object?> { ["method"] = name, ["win_rate"] = 0.75 }]));
        if (complete) run.Complete();
        return run.Id;
    }

    [Fact]
    public void List_PrintsOneLinePerRun_WithStatusAndSeed()
    {
        var a = Run("bonbon", 1, 0.25, 0.5);
        var b = Run("dpo", 2, 0.5, null, complete: false);

        var result = CliRun.Invoke("runs", "list", "--root", Root);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, rule, two runs
        Assert.Matches(@"^id\s+name\s+status\s+seed\s+started \(UTC\)\s+duration$", lines[0]);
        Assert.Matches($@"^{a}\s+bonbon\s+completed\s+1\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+\d+\.\ds$", lines[2]);
        Assert.Matches($@"^{b}\s+dpo\s+failed\s+2\s+", lines[3]); // disposed without Complete
    }

    [Fact]
    public void List_ShowsDamagedRunFolders_WithTheReason_AndShowNamesTheDamage()
    {
        var a = Run("bonbon", 1, 0.25, 0.5);
        var torn = Run("torn", 2, 0.5, null);
        File.WriteAllText(Path.Combine(Root, torn, RunWriter.ManifestFile), "{\"id\": ");

        var result = CliRun.Invoke("runs", "list", "--root", Root);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length); // header, rule, the readable run, the damaged one
        Assert.StartsWith(a, lines[2]);
        Assert.StartsWith($"damaged: {torn}: {Path.Combine(Root, torn, RunWriter.ManifestFile)} is not valid JSON: ", lines[3]);
        var show = CliRun.Invoke("runs", "show", torn, "--root", Root);
        Assert.Equal(ExitCodes.Failure, show.ExitCode);
        Assert.StartsWith($"alignlab runs show: run {torn} is damaged: ", show.Error);
    }

    [Fact]
    public void List_OfAnEmptyStore_SaysSo()
    {
        var result = CliRun.Invoke("runs", "list", "--root", Root);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal($"no runs in {Path.GetFullPath(Root)}", result.Output.Trim());
    }

    [Fact]
    public void Show_PrintsManifestConfigFinalMetricsAndTable()
    {
        var id = Run("bonbon", 7, 0.25, 0.5);

        var result = CliRun.Invoke("runs", "show", id[..^5], "--root", Root);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains($"id:         {id}", result.Output);
        Assert.Contains("seed:       7", result.Output);
        Assert.Contains("status:     completed", result.Output);
        Assert.Contains("\"method\": \"bonbon\"", result.Output);
        Assert.Contains("final metrics (2 records, last step 100):", result.Output);
        Assert.Matches(@"(?m)^kl\s+0\.5$", result.Output);
        Assert.Matches(@"(?m)^loss\s+0\.25$", result.Output);
        Assert.Matches(@"(?m)^bonbon\s+0\.75$", result.Output);
    }

    [Fact]
    public void Compare_PrintsFinalMetricsSideBySide_WithDashForMissing()
    {
        var a = Run("bonbon", 1, 0.25, 0.5);
        var b = Run("dpo", 2, 0.5, null);

        var result = CliRun.Invoke("runs", "compare", a, b, "--root", Root);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches($@"^metric\s+{a}\s+{b}$", lines[0]);
        Assert.Matches(@"^name\s+bonbon\s+dpo$", lines[2]);
        Assert.Matches(@"^seed\s+1\s+2$", lines[4]);
        Assert.Matches(@"^last step\s+100\s+100$", lines[5]);
        Assert.Matches(@"^kl\s+0\.5\s+-$", lines[6]);
        Assert.Matches(@"^loss\s+0\.25\s+0\.5$", lines[7]);
        Assert.Equal(8, lines.Length);
    }

    [Fact]
    public void Compare_NeedsTwoRuns()
    {
        var a = Run("bonbon", 1, 0.25, 0.5);

        var result = CliRun.Invoke("runs", "compare", a, "--root", Root);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
    }

    [Fact]
    public void UnknownRun_FailsWithOneLineNamingIt_AndNoStackTrace()
    {
        Run("bonbon", 1, 0.25, 0.5);

        var result = CliRun.Invoke("runs", "show", "nope", "--root", Root);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"alignlab runs show: no run 'nope' in {Path.GetFullPath(Root)} (alignlab runs list shows the runs).", result.Error.Trim());
        Assert.Empty(result.Output);
    }
}
