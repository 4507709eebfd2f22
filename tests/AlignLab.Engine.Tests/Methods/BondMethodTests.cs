using AlignLab.Engine.Methods;
using AlignLab.Theory;

namespace AlignLab.Engine.Tests.Methods;

public class BondMethodTests
{
    [Fact]
    public void FixedAnchor_TrainedOnSampledBatches_LandsOnBestOfN()
    {
        var d = TabularFixtures.Distribution();
        var trained = TabularFixtures.Train(p => new BondMethod(p, TabularFixtures.Base(), TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(),
            new BondConfig(TabularFixtures.Sampling, N: 4, JeffreysBeta: 0.5, AnchorSamples: 256, SamplesPerPrompt: 16, BatchSize: 4)));
        var kl = TabularFixtures.Kl(trained, Tilting.BestOfN(d, 4).Probabilities);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || pi_4) = {kl}");
    }

    [Fact]
    public void MovingAnchor_GoesBeyondBestOfNOfTheBase()
    {
        // J-BOND with n = 2 and an EMA anchor: the anchor improves as the policy does, so the policy's win rate passes
        // that of BoN_2 of the base (0.62), which plain BOND with n = 2 would converge to.
        var d = TabularFixtures.Distribution();
        var trained = TabularFixtures.Train(p => new BondMethod(p, TabularFixtures.Base(), TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(),
            new BondConfig(TabularFixtures.Sampling, N: 2, AnchorDecay: 0.05, AnchorSamples: 256, SamplesPerPrompt: 16, BatchSize: 4)));
        var bon2 = Measures.WinRate(Tilting.BestOfN(d, 2));
        Assert.True(Measures.WinRate(d, trained) > bon2 + 0.05, $"win rate {Measures.WinRate(d, trained)} vs BoN_2 {bon2}");
    }
}
