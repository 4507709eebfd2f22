using AlignLab.Engine.Benchmarks;
using AlignLab.Engine.Runtime;
using AlignLab.Models.Families;

namespace AlignLab.Engine.Tests.Benchmarks;

/// <summary>The model benchmark's code path on tiny shapes (not a timing test: figures are only checked to exist and be finite).</summary>
public class ModelBenchmarksTests
{
    private static readonly ModelBenchmarkShape Tiny = new(VocabSize: 64, HiddenSize: 32, Layers: 2, Heads: 2, MaxPositions: 64,
        ScoreBatch: 2, SequenceLength: 8, Prompts: 2, SamplesPerPrompt: 3, PromptLength: 4, NewTokens: 4, TrainBatch: 2, LoraRank: 2, Repeats: 1);

    [Fact]
    public void Run_OnTinyShapes_MeasuresEveryWorkload()
    {
        var output = new StringWriter();
        using var context = ComputeContext.Create(new ComputeOptions(Seed: 0, Device: "cpu"));
        var results = ModelBenchmarks.Run(Tiny, context, output);
        Assert.Contains($"on {context.Describe()}", output.ToString());
        string[] expected = OperatingSystem.IsLinux()
            ? [ModelBenchmarks.LoadPeak, ModelBenchmarks.LoadTime, ModelBenchmarks.InspectTime, ModelBenchmarks.Scoring, ModelBenchmarks.Generation, ModelBenchmarks.GenerationPeak, ModelBenchmarks.TrainFull, ModelBenchmarks.TrainLora]
            : [ModelBenchmarks.LoadTime, ModelBenchmarks.InspectTime, ModelBenchmarks.Scoring, ModelBenchmarks.Generation, ModelBenchmarks.TrainFull, ModelBenchmarks.TrainLora];
        Assert.Equal(expected, results.Select(r => r.Name));
        // Tiny generation may fit in memory the process already holds, so its RSS growth may be 0.
        Assert.All(results, r => Assert.True(double.IsFinite(r.Value) && (r.Value > 0 || r.Name == ModelBenchmarks.GenerationPeak && r.Value == 0), $"{r.Name} = {r.Value}"));
        Assert.All(results, r => Assert.Contains(r.Name, output.ToString()));
    }

    [Fact]
    public void KvCacheBytes_IsLayersTimesKeysAndValuesTimesRowsHeadsPositionsHeadSizeAndFloatBytes()
    {
        using var model = new Gpt2LmHeadModel(ModelBenchmarks.Gpt2Config(Tiny));
        // 2 layers × 2 × (2 prompts × 3 samples) rows × 2 heads × (4 + 4) positions × 16 head size × 4 bytes.
        Assert.Equal(2L * 2 * 6 * 2 * 8 * 16 * 4, ModelBenchmarks.KvCacheBytes(model, Tiny));
    }

    [Fact]
    public void Ratios_DivideMatchingMeasurements_AndSkipTheRest()
    {
        BenchmarkMeasurement[] ours = [new("a", 6, "tokens/s"), new("b", 1.5, "x"), new("only ours", 1, "s")];
        BenchmarkMeasurement[] peer = [new("b", 3, "x"), new("a", 4, "tokens/s"), new("only theirs", 1, "s")];
        var ratios = ModelBenchmarks.Ratios(ours, peer);
        Assert.Equal([new BenchmarkMeasurement("a, AlignLab / PyTorch", 1.5, "x"), new BenchmarkMeasurement("b, AlignLab / PyTorch", 0.5, "x")], ratios);
    }

    [Fact]
    public void InvalidShape_NamesTheField()
    {
        Assert.Equal("Layers", Assert.Throws<ArgumentException>(() => (Tiny with { Layers = 0 }).Validate()).ParamName);
        Assert.Equal("MaxPositions", Assert.Throws<ArgumentException>(() => (Tiny with { NewTokens = 100 }).Validate()).ParamName);
    }
}
