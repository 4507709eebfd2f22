using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class IpoMethodTests
{
    [Fact]
    public void Loss_HandComputed()
    {
        // β = 0.25 → target gap 1/(2β) = 2; h = (1, 3): ½[(−1)² + 1²] = 1.
        using var gap = tensor(new[] { 1.0, 3.0 });
        using var loss = IpoMethod.Loss(gap, 0.25);
        Assert.Equal(1.0, loss.item<double>(), 12);
    }

    [Fact]
    public void Loss_Gradient_MatchesFiniteDifferences() =>
        GradientCheck.AssertMatchesFiniteDifferences(h => IpoMethod.Loss(h, 0.3), [0.3, -1.2, 2.0]);
}

public class IpoMethodVerificationTests
{
    [Fact]
    public void IpoBon_TrainedOnSampledPairs_LandsOnExactIpoOptimum_NotOnBestOfN()
    {
        var d = TabularFixtures.Distribution();
        var target = AlignLab.Theory.Objectives.TabularMinimizer.Minimize(new AlignLab.Theory.Objectives.IpoBestWorstObjective(d, 4), TabularFixtures.Log(d.Probabilities)).Probabilities;
        var pairs = new BestWorstPairSource(TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(), 4, TabularFixtures.Sampling);
        var trained = TabularFixtures.Train(p => new IpoMethod(p, pairs, new IpoConfig(AlignLab.Theory.BonBonConstants.IpoBeta(4), 64)));
        var kl = TabularFixtures.Kl(trained, target);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || IPO optimum) = {kl}");
        Assert.True(TabularFixtures.Kl(trained, AlignLab.Theory.Tilting.BestOfN(d, 4).Probabilities) > 0.03);
    }
}
