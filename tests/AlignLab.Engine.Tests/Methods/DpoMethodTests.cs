using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class DpoMethodTests
{
    [Fact]
    public void Loss_HandComputed()
    {
        // h = (1, −0.5), β = 0.5: −½[log σ(0.5) + log σ(−0.25)] = ½[log(1+e^{−0.5}) + log(1+e^{0.25})].
        using var gap = tensor(new[] { 1.0, -0.5 });
        using var loss = DpoMethod.Loss(gap, 0.5);
        var expected = 0.5 * (Math.Log(1 + Math.Exp(-0.5)) + Math.Log(1 + Math.Exp(0.25)));
        Assert.Equal(expected, loss.item<double>(), 12);
    }

    [Fact]
    public void Loss_Gradient_MatchesFiniteDifferences() =>
        GradientCheck.AssertMatchesFiniteDifferences(h => DpoMethod.Loss(h, 0.7), [0.3, -1.2, 2.0]);
}

public class DpoMethodVerificationTests
{
    [Fact]
    public void TrainedOnBradleyTerryPairsFromBase_LandsOnRlhfTilt()
    {
        var d = TabularFixtures.Distribution();
        using var generator = new TorchSharp.torch.Generator(99);
        var basePolicy = TabularFixtures.Base();
        using var data = PreferenceDataset.FromBase(basePolicy, TabularFixtures.Prompts(1), 20_000, TabularFixtures.Reward(), PairLabeling.BradleyTerry, 0.0, TabularFixtures.Sampling, generator);
        using var pairs = new DatasetPairSource(data, basePolicy);
        var trained = TabularFixtures.Train(p => new DpoMethod(p, pairs, new DpoConfig(Beta: 1.0, BatchSize: 64)));
        var kl = TabularFixtures.Kl(trained, AlignLab.Theory.Tilting.Rlhf(d, 1.0).Probabilities);
        Assert.True(kl < TabularFixtures.KlTolerance, $"KL(trained || tilt) = {kl}");
    }
}
