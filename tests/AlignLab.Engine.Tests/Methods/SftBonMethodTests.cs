using AlignLab.Engine.Methods;
using AlignLab.Theory;

namespace AlignLab.Engine.Tests.Methods;

public class SftBonMethodTests
{
    [Fact]
    public void TrainedOnSampledBatches_LandsOnBestOfN()
    {
        var d = TabularFixtures.Distribution();
        var trained = TabularFixtures.Train(p => new SftBonMethod(p, TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(),
            new SftBonConfig(TabularFixtures.Sampling, N: 4, BatchSize: 64)));
        var kl = TabularFixtures.Kl(trained, Tilting.BestOfN(d, 4).Probabilities);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || pi_4) = {kl}");
    }
}
