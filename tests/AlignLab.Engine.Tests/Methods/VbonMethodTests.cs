using AlignLab.Engine.Methods;
using AlignLab.Theory;

namespace AlignLab.Engine.Tests.Methods;

public class VbonMethodTests
{
    [Fact]
    public void TrainedOnSampledBatches_LandsOnBestOfN()
    {
        var d = TabularFixtures.Distribution();
        var trained = TabularFixtures.Train(p => new VbonMethod(p, TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(),
            new VbonConfig(TabularFixtures.Sampling, N: 4, BaseSamples: 2000, SamplesPerPrompt: 16, BatchSize: 4)));
        var kl = TabularFixtures.Kl(trained, Tilting.BestOfN(d, 4).Probabilities);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || pi_4) = {kl}");
    }

    [Fact]
    public void DefaultKlCoefficient_IsOneOverNMinusOne()
    {
        Assert.Equal(1.0 / 7, new VbonConfig(TabularFixtures.Sampling).EffectiveKlCoefficient, 12);
        Assert.Equal("SamplesPerPrompt", Assert.Throws<ArgumentException>(() => new VbonConfig(TabularFixtures.Sampling, SamplesPerPrompt: 1).Validate()).ParamName);
    }
}
