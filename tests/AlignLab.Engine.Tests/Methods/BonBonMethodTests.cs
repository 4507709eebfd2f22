using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class BonBonMethodTests
{
    [Fact]
    public void Loss_HandComputed()
    {
        // log π(y_best) = (−1, −2), h = (1, 3), α = 0.25, h* = 2: 0.25·1.5 + 0.75·1 = 1.125.
        using var best = tensor(new[] { -1.0, -2.0 });
        using var gap = tensor(new[] { 1.0, 3.0 });
        using var loss = BonBonMethod.Loss(best, gap, 0.25, 2.0);
        Assert.Equal(1.125, loss.item<double>(), 12);
    }

    [Fact]
    public void Loss_Gradient_MatchesFiniteDifferences() =>
        GradientCheck.AssertMatchesFiniteDifferences(
            x => BonBonMethod.Loss(x.narrow(0, 0, 2), x.narrow(0, 2, 2), 0.3, 5.5), [-1.1, -0.4, 2.0, 7.0]);

    [Fact]
    public void DefaultTargetGap_IsHStar()
    {
        Assert.Equal(5.5, new BonBonConfig(N: 4).TargetGap, 12);
        Assert.Equal(1.0, new BonBonConfig(N: 4, Beta: 0.5).TargetGap, 12);
        Assert.Equal("Alpha", Assert.Throws<ArgumentException>(() => new BonBonConfig(Alpha: 2).Validate()).ParamName);
    }
}

public class BonBonMethodVerificationTests
{
    [Fact]
    public void TrainedOnSampledPairs_LandsOnExactBonBonOptimum()
    {
        var d = TabularFixtures.Distribution();
        var target = AlignLab.Theory.Objectives.TabularMinimizer.Minimize(new AlignLab.Theory.Objectives.BonBonObjective(d, 4, 0.5), TabularFixtures.Log(d.Probabilities)).Probabilities;
        var pairs = new BestWorstPairSource(TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(), 4, TabularFixtures.Sampling);
        var trained = TabularFixtures.Train(p => new BonBonMethod(p, pairs, new BonBonConfig(N: 4, Alpha: 0.5, BatchSize: 64)));
        var kl = TabularFixtures.Kl(trained, target);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || BoNBoN optimum) = {kl}");
        Assert.True(TabularFixtures.Kl(trained, AlignLab.Theory.Tilting.BestOfN(d, 4).Probabilities) > 0.03);
    }
}
