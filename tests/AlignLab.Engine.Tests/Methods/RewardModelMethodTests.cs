using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class RewardModelMethodTests
{
    [Fact]
    public void Loss_HandComputed()
    {
        // Margins (2 − 1, 0 − 0) → ½[log(1+e^{−1}) + log 2].
        using var chosen = tensor(new[] { 2.0, 0.0 });
        using var rejected = tensor(new[] { 1.0, 0.0 });
        using var loss = RewardModelMethod.Loss(chosen, rejected);
        Assert.Equal(0.5 * (Math.Log(1 + Math.Exp(-1)) + Math.Log(2)), loss.item<double>(), 12);
    }

    [Fact]
    public void Loss_Gradient_MatchesFiniteDifferences() =>
        GradientCheck.AssertMatchesFiniteDifferences(x => RewardModelMethod.Loss(x.narrow(0, 0, 2), x.narrow(0, 2, 2)), [0.5, -1.0, 0.2, 1.5]);
}

public class RewardModelMethodVerificationTests
{
    [Fact]
    public void TrainedOnBradleyTerryPairs_RecoversGoldRewardUpToShift()
    {
        // A tabular reward model r_φ(y) = φ_y (the logits of a TabularPolicy used as a table), fitted to 20,000
        // Bradley–Terry-labelled base pairs: the maximum-likelihood φ equals the gold reward up to a constant.
        using var generator = new TorchSharp.torch.Generator(31);
        using var gold = TabularFixtures.Reward();
        using var data = PreferenceDataset.FromBase(TabularFixtures.Base(), TabularFixtures.Prompts(1), 20_000, gold, PairLabeling.BradleyTerry, 0.0,
            TabularFixtures.Sampling, generator);
        using var model = new AlignLab.Engine.Policies.TabularPolicy(new AlignLab.Engine.Policies.TabularPolicyConfig(1, 6));
        TabularFixtures.Train(_ => new RewardModelMethod(model, (x, y) => model.Logits.index_select(0, x.reshape(-1)).gather(1, y.reshape(-1, 1)).squeeze(1),
            data, new RewardModelConfig(BatchSize: 64)));
        var learned = model.Logits.data<float>().ToArray();
        var shift = learned.Zip(TabularFixtures.Rewards, (l, r) => l - r).Average();
        // With ~20,000 pairs the MLE's standard error per reward difference is ≲ 0.1 (rarest pairs: p = 0.1 each);
        // 0.35 allows for that plus the final-step optimisation noise.
        Assert.All(learned.Select((l, y) => l - shift - TabularFixtures.Rewards[y]), e => Assert.InRange(e, -0.35, 0.35));
    }
}
