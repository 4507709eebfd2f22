using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Tasks;
using AlignLab.Models.HuggingFace;
using AlignLab.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Tasks;

[Collection(ToyBaseCollection.Name)]
public class ToyTaskTests(ToyBaseFixture fixture)
{
    private readonly ToyTask _task = fixture.Task;

    [Fact]
    public void AllResponses_AreEveryStringInBaseVOrder()
    {
        Assert.Equal([7776L, 5L], _task.AllResponses.shape);
        var all = _task.AllResponses.data<long>().ToArray();
        for (int i = 0; i < 7776; i += 997)
            Assert.Equal(i, all[(i * 5)..(i * 5 + 5)].Aggregate(0L, (a, s) => a * 6 + s));
        Assert.Equal(7776, all.Chunk(5).Select(r => string.Join(",", r)).Distinct().Count());
        Assert.Equal([32L, 3L], _task.Prompts.shape);
    }

    [Fact]
    public void TrueProbabilities_SumToOne()
    {
        foreach (var k in new[] { 0, 17, 31 })
            Assert.Equal(1.0, _task.TrueProbabilities(k).Sum(), 12);
    }

    [Fact]
    public void PretrainedBase_FitsTheGenerativeProcess()
    {
        // Mean KL(true ‖ base) over prompts: 0 would be a perfect fit; the uniform distribution scores ≈ 1.4 nats here.
        double kl = 0, klUniform = 0;
        for (int k = 0; k < _task.Config.PromptCount; k++)
        {
            var truth = _task.TrueProbabilities(k);
            kl += Measures.Kl(truth, Enumeration.Probabilities(_task, fixture.Base, k));
            klUniform += Measures.Kl(truth, Enumerable.Repeat(1.0 / 7776, 7776).ToArray());
        }
        kl /= _task.Config.PromptCount;
        klUniform /= _task.Config.PromptCount;
        Assert.True(kl < 0.05, $"KL(true‖base) = {kl} (uniform: {klUniform})");
        Assert.True(klUniform > 0.5, $"the process should be far from uniform (KL {klUniform})");
    }

    [Fact]
    public void BaseCache_IsKeyedByConfig_AndReloadsTheSameWeights()
    {
        var path = _task.BaseCheckpointPath(new ToyBaseConfig(), fixture.CacheDirectory);
        Assert.True(File.Exists(path));
        Assert.NotEqual(path, _task.BaseCheckpointPath(new ToyBaseConfig(Steps: 301), fixture.CacheDirectory));
        using var reloaded = _task.LoadOrPretrainBase(cacheDirectory: fixture.CacheDirectory);
        using var a = fixture.Base.forward(_task.Prompts);
        using var b = reloaded.forward(_task.Prompts);
        Assert.True(a.eq(b).all().item<bool>());
    }

    /// <summary>
    /// Every <see cref="ToyTask.PretrainingVersion"/> with the fingerprint of what its pretraining gives for
    /// <see cref="FingerprintConfig"/>: Σ|w|, Σw², and a key of the state dict's names and shapes (what a checkpoint
    /// stores). When the test fails, pretraining now gives other weights or another layout: bump PretrainingVersion, so
    /// that no cache serves a base of the old code, and append the new line (keep the old ones).
    /// </summary>
    private static readonly (int Version, double AbsSum, double SquareSum, string Layout)[] PretrainingFingerprints =
    [
        (1, 39.03457166593321, 24.605860629076187, "c73c239d766fa32b"),
        // TinyGpt became a GPT-2 configuration: the same weights under the checkpoint names of GPT-2.
        (2, 39.03457166593321, 24.605860629076187, "5832f4d00a871775"),
    ];

    private static readonly ToyBaseConfig FingerprintConfig = new(DModel: 8, Heads: 2, Layers: 1, Steps: 5, BatchSize: 16);

    [Fact]
    public void PretrainingFingerprint_IsTheOneRecordedForTheCurrentPretrainingVersion()
    {
        var (version, absSum, squareSum, layout) = PretrainingFingerprints[^1];
        Assert.Equal(ToyTask.PretrainingVersion, version);
        Assert.True(PretrainingFingerprints.Zip(PretrainingFingerprints.Skip(1)).All(p => p.First.Version < p.Second.Version && (p.First.AbsSum != p.Second.AbsSum || p.First.Layout != p.Second.Layout)));
        using var model = _task.Pretrain(FingerprintConfig);
        double abs = 0, squares = 0;
        foreach (var weight in model.parameters())
        {
            using var w = weight.detach().to_type(ScalarType.Float64);
            abs += w.abs().sum().item<double>();
            squares += w.square().sum().item<double>();
        }
        // 1e-4 relative: far above the last-bit noise of a thread count's summation order, far below what any change to
        // the data, the initialisation or the optimiser does to the weights after five steps.
        string names = ModelCache.Key(model.state_dict().Select(kv => $"{kv.Key}:{kv.Value.dtype}[{string.Join(",", kv.Value.shape)}]").Order(StringComparer.Ordinal).ToArray());
        string message = $"pretraining now gives Σ|w| = {abs:R}, Σw² = {squares:R}, layout \"{names}\"; bump ToyTask.PretrainingVersion and record them";
        Assert.True(Math.Abs(abs - absSum) <= 1e-4 * absSum, message);
        Assert.True(Math.Abs(squares - squareSum) <= 1e-4 * squareSum, message);
        Assert.True(names == layout, message);
    }

    [Fact]
    public void BaseCacheKey_ChangesWithThePretrainingVersionInputs()
    {
        var config = new ToyBaseConfig();
        string path = _task.BaseCheckpointPath(config);
        Assert.Contains(ModelCache.Key(_task.Config, config, ToyTask.PretrainingVersion, typeof(torch).Assembly.GetName().Version!.ToString()), path);
        Assert.DoesNotContain(ModelCache.Key(_task.Config, config, ToyTask.PretrainingVersion + 1, typeof(torch).Assembly.GetName().Version!.ToString()), path);
    }

    [Fact]
    public void DamagedCacheEntry_IsRebuilt()
    {
        var dir = Directory.CreateTempSubdirectory("alignlab-cache-").FullName;
        try
        {
            var config = new ToyBaseConfig(Steps: 3);
            var path = _task.BaseCheckpointPath(config, dir);
            File.WriteAllText(path, "not a checkpoint");
            using var model = _task.LoadOrPretrainBase(config, dir);
            using var file = SafeTensors.Read(path); // now valid
            Assert.Equal(model.state_dict().Count, file.Tensors.Count);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void GoldReward_HasNoTiesByDefault_AndCountLevelsWithTies()
    {
        var rewards = Enumeration.Values(_task, _task.GoldReward, 0);
        Assert.Equal(7776, rewards.Distinct().Count());
        using var tied = new ToyTask(new ToyTaskConfig(RewardTies: true));
        var counts = Enumeration.Values(tied, tied.GoldReward, 0);
        Assert.Equal([0.0, 1, 2, 3, 4, 5], counts.Distinct().Order());
        // The count decides; the tie-breaker only orders responses with equal counts.
        for (int i = 0; i < 7776; i += 101) Assert.Equal(counts[i], Math.Floor(rewards[i]));
    }
}
