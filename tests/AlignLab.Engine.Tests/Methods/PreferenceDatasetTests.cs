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
