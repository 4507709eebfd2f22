using AlignLab.Engine.Methods;
using AlignLab.Theory;

namespace AlignLab.Engine.Tests.Methods;

public class RlhfMethodTests
{
    [Fact]
    public void TrainedOnSampledBatches_LandsOnRlhfTilt()
    {
        var d = TabularFixtures.Distribution();
        var trained = TabularFixtures.Train(p => new RlhfMethod(p, TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(),
            new RlhfConfig(TabularFixtures.Sampling, Beta: 1.0, SamplesPerPrompt: 16, BatchSize: 4)));
        var kl = TabularFixtures.Kl(trained, Tilting.Rlhf(d, 1.0).Probabilities);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || tilt) = {kl}");
    }
}
