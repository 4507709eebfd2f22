using System.Text.Json;

namespace AlignLab.Cli.Tests;

/// <summary>
/// A 2×2×2 sweep on a tiny toy task for the sweep tests: DPO and IPO (<c>--set methods=dpo</c> keeps DPO alone), n ∈ {2, 4},
/// β ∈ {0.1, 0.5}, 4 steps a row, its run store and base cache named by <c>--set store=DIR cache=DIR</c>.
/// </summary>
public static class ToySweep
{
    public const string Script = """
        var methods = Arg("methods", "dpo,ipo").Split(',');
        var experiment = Experiment.Named("toy-sweep")
            .On(Tasks.ToyLanguage(seed: 3, vocabSize: 4, responseLength: 4, promptCount: 6)
                .WithBase(new ToyBaseConfig(DModel: 16, Heads: 2, Layers: 1, Steps: 80, BatchSize: 128))
                .CachedIn(Arg("cache", "cache")))
            .Compare(methods.Contains("dpo") ? Methods.Dpo().Sweep(n: [2, 4], beta: [0.1, 0.5]) : [])
            .Compare(methods.Contains("ipo") ? Methods.Ipo().Sweep(n: [2, 4], beta: [0.1, 0.5]) : [])
            .WithScale(new ExperimentScale(Steps: 4, LearningRate: 3e-3, WarmupSteps: 0, PairBatchSize: 8, PromptBatchSize: 4,
                SamplesPerPrompt: 2, CdfSamples: 16, LogEvery: 2))
            .WithFrontiers(Frontier.BestOfN)
            .WithProgress(false)
            .StoreIn(Arg("store", "runs"));
        experiment.Run();
        """;

    /// <summary>The rows of DPO (then IPO) in the experiment's order.</summary>
    public static readonly string[] DpoRows = ["dpo-n2-beta0.1-seed0", "dpo-n2-beta0.5-seed0", "dpo-n4-beta0.1-seed0", "dpo-n4-beta0.5-seed0"];

    /// <summary>The one run in run store <paramref name="store"/>.</summary>
    public static string OnlyRun(string store) => Assert.Single(Directory.GetDirectories(store));

    /// <summary>
    /// The table of the run in <paramref name="runFolder"/> (<c>table.json</c>) as text, one line per row, without the
    /// wall-clock column <c>train_seconds</c> (the one value a rerun cannot reproduce).
    /// </summary>
    public static string TableWithoutTimes(string runFolder)
    {
        using var table = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, "table.json")));
        var columns = table.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Contains("train_seconds", columns);
        return string.Join("\n", table.RootElement.GetProperty("rows").EnumerateArray()
            .Select(row => string.Join(" | ", row.EnumerateObject().Where(p => p.Name != "train_seconds").Select(p => $"{p.Name}={p.Value.GetRawText()}"))));
    }
}
