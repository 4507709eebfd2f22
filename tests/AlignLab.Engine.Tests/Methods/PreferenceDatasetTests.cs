using AlignLab.Engine.Methods;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class PreferenceDatasetTests
{
    [Fact]
    public void Deterministic_WithLabelNoise_FlipsThatFractionOfUntiedPairs()
    {
        using var generator = new torch.Generator(21);
        using var reward = TabularFixtures.Reward();
        using var data = PreferenceDataset.FromBase(TabularFixtures.Base(), TabularFixtures.Prompts(1), 20_000, reward, PairLabeling.Deterministic, 0.2,
            TabularFixtures.Sampling, generator);
        using var chosen = reward.Score(data.Prompts, data.Chosen);
        using var rejected = reward.Score(data.Prompts, data.Rejected);
        var untied = (chosen != rejected).sum().item<long>();
        var flipped = (chosen < rejected).sum().item<long>();
        // Binomial(untied ≈ 15,000, 0.2): standard error ≈ 0.0033; 4 standard errors ≈ 0.013.
        Assert.InRange((double)flipped / untied, 0.2 - 0.013, 0.2 + 0.013);
    }

    [Fact]
    public void FromBestOfN_ChosenNeverWorseThanRejected()
    {
        using var generator = new torch.Generator(22);
        using var reward = TabularFixtures.Reward();
        using var data = PreferenceDataset.FromBestOfN(TabularFixtures.Base(), TabularFixtures.Prompts(1), 1000, 4, reward, TabularFixtures.Sampling, generator);
        using var chosen = reward.Score(data.Prompts, data.Chosen);
        using var rejected = reward.Score(data.Prompts, data.Rejected);
        Assert.Equal(0, (chosen < rejected).sum().item<long>());
        Assert.Equal(1000, data.Count);
    }
}

public class DatasetPairSourceEpochTests
{
    /// <summary>In epoch order each pass visits every pair exactly once (the last batch holds the remainder), in a new order.</summary>
    [Fact]
    public void Epochs_VisitEveryPairOncePerPass()
    {
        using var reference = TabularFixtures.Base(1);
        using var data = new PreferenceDataset(zeros(5, 1, ScalarType.Int64), arange(5, ScalarType.Int64).reshape(5, 1), zeros(5, 1, ScalarType.Int64));
        using var pairs = new DatasetPairSource(data, reference, order: PairOrder.Epochs);
        Assert.Equal(3, pairs.StepsPerEpoch(2));
        using var generator = new TorchSharp.torch.Generator(5);
        var passes = new List<long[]>();
        for (var pass = 0; pass < 2; pass++)
        {
            var seen = new List<long>();
            var sizes = new List<long>();
            for (var step = 0; step < 3; step++)
            {
                var batch = pairs.Next(2, generator);
                sizes.Add(batch.Chosen.shape[0]);
                seen.AddRange(batch.Chosen.reshape(-1).data<long>().ToArray());
            }
            Assert.Equal(new long[] { 2, 2, 1 }, sizes);
            Assert.Equal(Enumerable.Range(0, 5).Select(i => (long)i), seen.Order());
            passes.Add([.. seen]);
        }
        Assert.NotEqual(passes[0], passes[1]);
        Assert.Equal(10, pairs.State["pairs_drawn"].item<long>());
    }
}
