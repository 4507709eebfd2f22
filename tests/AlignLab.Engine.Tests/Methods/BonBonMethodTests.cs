using AlignLab.Engine.Methods;
using AlignLab.Theory.Objectives;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class BonBonMethodTests
{
    public static TheoryData<BonBonVariant> Variants => [BonBonVariant.SquaredSum, BonBonVariant.LogisticSum, BonBonVariant.SquaredMean, BonBonVariant.LogisticMean];

    /// <summary>
    /// s(y_best) = (−1, −2), h = (1, 3), α = 0.25, β = 0.25 (target gap 2): SFT term 1.5; squared term mean((1−2)², (3−2)²)
    /// = 1; logistic term mean(softplus(−0.25), softplus(−0.75)). The loss is the same function of (s, h) for the summed
    /// and averaged forms (they differ in how s and h are reduced, tested below).
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Loss_HandComputed(BonBonVariant variant)
    {
        using var best = tensor(new[] { -1.0, -2.0 });
        using var gap = tensor(new[] { 1.0, 3.0 });
        using var loss = BonBonMethod.Loss(best, gap, 0.25, variant, 0.25);
        var preference = variant.IsLogistic() ? 0.5 * (Math.Log(1 + Math.Exp(-0.25)) + Math.Log(1 + Math.Exp(-0.75))) : 1.0;
        Assert.Equal(0.25 * 1.5 + 0.75 * preference, loss.item<double>(), 12);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Loss_Gradient_MatchesFiniteDifferences(BonBonVariant variant) =>
        GradientCheck.AssertMatchesFiniteDifferences(
            x => BonBonMethod.Loss(x.narrow(0, 0, 2), x.narrow(0, 2, 2), 0.3, variant, 0.09), [-1.1, -0.4, 2.0, 7.0]);

    [Fact]
    public void ResponseLengths_CountUpToAndIncludingTheEndToken()
    {
        using var responses = tensor(new long[] { 1, 2, 0, 3, 3, 1, 1, 1, 0, 5, 5, 5 }).reshape(3, 4);
        Assert.Equal(new long[] { 3, 4, 1 }, ResponseLengths.Of(responses, [0]).data<long>().ToArray());
        Assert.Equal(new long[] { 4, 4, 4 }, ResponseLengths.Of(responses, []).data<long>().ToArray());
    }

    /// <summary>
    /// One step's loss from a one-pair dataset, by hand: the policy is the base, so h = 0 and the loss is
    /// α·(−log p(y_b))/ℓ + (1−α)·D(0) with D(0) = (1/(2β))² or log 2; the tabular responses have length ℓ = 1.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Step_AtTheReference_IsSftTermPlusPreferenceAtZeroGap(BonBonVariant variant)
    {
        using var reference = TabularFixtures.Base();
        using var policy = TabularFixtures.Trainable();
        using var data = new PreferenceDataset(tensor(new long[] { 0 }).reshape(1, 1), tensor(new long[] { 4 }).reshape(1, 1), tensor(new long[] { 1 }).reshape(1, 1));
        using var pairs = new DatasetPairSource(data, reference);
        var method = new BonBonMethod(policy, pairs, new BonBonConfig(N: 4, Alpha: 0.2, Beta: 0.1, BatchSize: 3, Variant: variant));
        using var generator = new TorchSharp.torch.Generator(0);
        var output = method.Step(generator);
        var preference = variant.IsLogistic() ? Math.Log(2) : 25.0;
        Assert.Equal(0.2 * -Math.Log(TabularFixtures.Probabilities[4]) + 0.8 * preference, output.Loss.item<float>(), 4);
    }

    /// <summary>
    /// With no α the first batch sets it by the equal-terms rule and later batches keep it: the one-pair dataset's
    /// SFT term at the reference is −log p(y_b), so α = P/(−log p(y_b) + P) with P = (1/(2β))² = 25.
    /// </summary>
    [Fact]
    public void NoAlpha_TheFirstBatchSetsItByTheRule_AndItIsKept()
    {
        using var reference = TabularFixtures.Base();
        using var policy = TabularFixtures.Trainable();
        using var data = new PreferenceDataset(tensor(new long[] { 0 }).reshape(1, 1), tensor(new long[] { 4 }).reshape(1, 1), tensor(new long[] { 1 }).reshape(1, 1));
        using var pairs = new DatasetPairSource(data, reference);
        using var method = new BonBonMethod(policy, pairs, new BonBonConfig(N: 4, Beta: 0.1, BatchSize: 2, Variant: BonBonVariant.SquaredSum));
        Assert.True(double.IsNaN(method.Alpha));
        using var generator = new TorchSharp.torch.Generator(0);
        var first = method.Step(generator);
        var expected = 25.0 / (-Math.Log(TabularFixtures.Probabilities[4]) + 25.0);
        Assert.Equal(expected, method.Alpha, 6);
        Assert.Equal(expected, first.Metrics["alpha"].item<double>(), 6);
        Assert.Equal(expected, method.State["alpha"].item<double>(), 6);
        method.State["alpha"].fill_(0.3);
        method.Step(generator);
        Assert.Equal(0.3, method.Alpha, 12);
    }

    [Fact]
    public void Config_DefaultBetaIsBetaStar_AndInvalidFieldsAreNamed()
    {
        Assert.Null(new BonBonConfig().Alpha);
        Assert.Equal(BonBonVariant.LogisticMean, new BonBonConfig().Variant);
        Assert.Equal(5.5, new BonBonConfig(N: 4).TargetGap, 12);
        Assert.Equal(1 / 11.0, new BonBonConfig(N: 4).EffectiveBeta, 12);
        Assert.Equal(1.0, new BonBonConfig(N: 4, Beta: 0.5).TargetGap, 12);
        Assert.Equal("Alpha", Assert.Throws<ArgumentException>(() => new BonBonConfig(Alpha: 2).Validate()).ParamName);
        Assert.Equal("Variant", Assert.Throws<ArgumentException>(() => new BonBonConfig(Variant: (BonBonVariant)9).Validate()).ParamName);
    }

    /// <summary>The α rule from a batch: S = mean −log p(y_b) over the batch, α = P/(S + P).</summary>
    [Fact]
    public void EqualTermsAlpha_FromABatch_HandComputed()
    {
        var p = TabularFixtures.Probabilities;
        using var logProbs = tensor(new[] { Math.Log(p[4]), Math.Log(p[3]) });
        var batch = new PreferenceBatch(zeros(2, 1, ScalarType.Int64), tensor(new long[] { 4, 3 }).reshape(2, 1), tensor(new long[] { 0, 1 }).reshape(2, 1), logProbs, logProbs);
        var s = -(Math.Log(p[4]) + Math.Log(p[3])) / 2;
        Assert.Equal(25.0 / (s + 25.0), BonBonMethod.EqualTermsAlpha(batch, new BonBonConfig(N: 4, Beta: 0.1, Variant: BonBonVariant.SquaredSum)), 12);
        Assert.Equal(Math.Log(2) / (s + Math.Log(2)), BonBonMethod.EqualTermsAlpha(batch, new BonBonConfig(N: 4, Variant: BonBonVariant.LogisticSum)), 12);
    }
}

public class BonBonMethodVerificationTests
{
    /// <summary>
    /// Trained on fresh best/worst-of-4 pairs, the tabular policy lands on its variant's exact optimum (the tabular
    /// responses have one token, so the averaged forms' optimum is the summed one's with ℓ = 1), and not on π_4. The
    /// logistic forms train at α = 0.1: at α = ½ their optimum is within KL 0.007 of π_4, too close to tell apart.
    /// </summary>
    [Theory]
    [MemberData(nameof(BonBonMethodTests.Variants), MemberType = typeof(BonBonMethodTests))]
    public void TrainedOnSampledPairs_LandsOnItsVariantsExactOptimum(BonBonVariant variant)
    {
        var d = TabularFixtures.Distribution();
        var alpha = variant.IsLogistic() ? 0.1 : 0.5;
        var target = TabularMinimizer.Minimize(new BonBonObjective(d, 4, alpha, variant), TabularFixtures.Log(d.Probabilities)).Probabilities;
        var pairs = new BestWorstPairSource(TabularFixtures.Base(), TabularFixtures.Prompts(1), TabularFixtures.Reward(), 4, TabularFixtures.Sampling);
        var trained = TabularFixtures.Train(p => new BonBonMethod(p, pairs, new BonBonConfig(N: 4, Alpha: alpha, BatchSize: 64, Variant: variant)));
        var kl = TabularFixtures.Kl(trained, target);
        Assert.True(kl < TabularFixtures.KlTolerance, $"{variant}: KL(trained || exact optimum) = {kl}; trained {string.Join(", ", trained)}; optimum {string.Join(", ", target)}");
        var bon = AlignLab.Theory.Tilting.BestOfN(d, 4).Probabilities;
        Assert.True(TabularFixtures.Kl(trained, bon) > 0.03, $"{variant}: KL(trained || pi_4) = {TabularFixtures.Kl(trained, bon)}, KL(optimum || pi_4) = {TabularFixtures.Kl(target, bon)}, KL(optimum||base) = {TabularFixtures.Kl(target, d.Probabilities)}");
    }
}
