namespace AlignLab.Cli.Tests;

/// <summary><c>alignlab run</c> of a script whose cached base model was damaged: one line on stderr, and the run goes on.</summary>
public sealed class ModelCacheReportTests
{
    private const string Script = """
        var task = new ToyTask();
        var config = new ToyBaseConfig(DModel: 8, Heads: 2, Layers: 1, Steps: 2, BatchSize: 8);
        var model = task.LoadOrPretrainBase(config, Arg("cache", ""));
        model.Dispose();
        Log(task.BaseCheckpointPath(config, Arg("cache", "")));
        """;

    [Fact]
    public void DamagedBaseInTheCache_IsOneLineNamingIt_MovedAside_AndRebuilt()
    {
        using var folder = new ScriptFolder();
        string script = folder.Write("base.csx", Script);
        string cache = Path.Combine(folder.Path, "cache");
        string[] args = ["run", script, "--out", folder.Out, "--set", $"cache={cache}"];

        var first = CliRun.Invoke(args);
        Assert.Equal((ExitCodes.Success, ""), (first.ExitCode, first.Error));
        string entry = first.Output.Trim();

        // Flipped bits in the weights: a file that still parses, with wrong numbers.
        byte[] bytes = File.ReadAllBytes(entry);
        bytes[^7] ^= 0x40;
        File.WriteAllBytes(entry, bytes);

        var second = CliRun.Invoke(args);
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        string line = Assert.Single(second.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        string aside = Assert.Single(Directory.GetFiles(cache, Path.GetFileName(entry) + ".damaged-*"));
        Assert.Equal($"alignlab: damaged model cache entry '{entry}': its content does not match its hash (changed or corrupted weights); " +
                     $"moved it to '{aside}'; rebuilding it.", line.TrimEnd());
        Assert.Equal(bytes, File.ReadAllBytes(aside));

        var third = CliRun.Invoke(args);
        Assert.Equal((ExitCodes.Success, ""), (third.ExitCode, third.Error));
    }
}
