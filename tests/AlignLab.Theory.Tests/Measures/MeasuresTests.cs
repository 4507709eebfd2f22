using FsCheck;
using FsCheck.Xunit;

namespace AlignLab.Theory.Tests;

public class MeasuresTests
{
    [Fact]
    public void WinRate_OfBase_IsOneHalf()
    {
        Assert.Equal(0.5, Measures.WinRate(Tilting.Base(RandomDistributions.SmallWithTies())), 1e-15);
    }

    [Fact]
    public void WinRate_OfBestOfTwo_WithTies_MatchesHandComputation()
    {
        // Levels q = (.3, .2, .5), s = (.15, .4, .75); BoN_2 level masses F² − F⁻² = (.09, .16, .75).
        var bon = Tilting.BestOfN(RandomDistributions.SmallWithTies(), 2);
        Assert.Equal(0.09 * 0.15 + 0.16 * 0.4 + 0.75 * 0.75, Measures.WinRate(bon), 1e-15);
    }

    [Fact]
    public void WinRate_OfProbabilityVector_EqualsPolicyOverload()
    {
        var d = RandomDistributions.SmallWithTies();
        var bon = Tilting.BestOfN(d, 3);
        Assert.Equal(Measures.WinRate(bon), Measures.WinRate(d, bon.Probabilities), 1e-15);
    }

    [Fact]
    public void WinRate_AgainstTheBasePolicy_EqualsWinRateAgainstTheBase()
    {
        var d = RandomDistributions.SmallWithTies();
        var bon = Tilting.BestOfN(d, 3);
        Assert.Equal(Measures.WinRate(bon), Measures.WinRate(bon, Tilting.Base(d)), 1e-15);
    }

    [Fact]
    public void WinRate_BetweenPolicies_MatchesPairEnumeration()
    {
        var d = RandomDistributions.SmallWithTies();
        var a = Tilting.BestOfN(d, 2);
        var b = Tilting.Rlhf(d, 0.7);
        double expected = 0.0;
        for (int i = 0; i < d.Count; i++)
            for (int j = 0; j < d.Count; j++)
            {
                double win = d.Rewards[i] > d.Rewards[j] ? 1.0 : d.Rewards[i] == d.Rewards[j] ? 0.5 : 0.0;
                expected += a.Probabilities[i] * b.Probabilities[j] * win;
            }
        Assert.Equal(expected, Measures.WinRate(a, b), 1e-15);
    }

    [Fact]
    public void WinRate_PoliciesOverDifferentRewards_Throws()
    {
        var a = Tilting.Base(new RewardDistribution(new[] { 0.5, 0.5 }, new[] { 0.0, 1.0 }));
        var b = Tilting.Base(new RewardDistribution(new[] { 0.5, 0.5 }, new[] { 0.0, 2.0 }));
        var e = Assert.Throws<ArgumentException>(() => Measures.WinRate(a, b));
        Assert.Contains("rewards[1] = 2", e.Message);
    }

    [Fact]
    public void Kl_MatchesHandComputation()
    {
        Assert.Equal(0.5 * Math.Log(2.0) + 0.5 * Math.Log(2.0 / 3.0), Measures.Kl(new[] { 0.5, 0.5 }, new[] { 0.25, 0.75 }), 1e-15);
    }

    [Fact]
    public void Kl_ZeroTimesLogZeroIsZero_AndMassWhereQHasNoneIsInfinite()
    {
        Assert.Equal(Math.Log(2.0), Measures.Kl(new[] { 1.0, 0.0 }, new[] { 0.5, 0.5 }), 1e-15);
        Assert.Equal(double.PositiveInfinity, Measures.Kl(new[] { 0.5, 0.5 }, new[] { 1.0, 0.0 }));
    }

    [Fact]
    public void Kl_NegativeEntry_NamesIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => Measures.Kl(new[] { 0.5, 0.5 }, new[] { 1.5, -0.5 }));
        Assert.Contains("q[1] = -0.5", e.Message);
    }

    [Fact]
    public void ReverseKl_AndJeffreys_MatchTheirDefinitions()
    {
        var d = RandomDistributions.SmallWithTies();
        var pi = Tilting.WinRateOptimal(d, 2.0);
        Assert.Equal(Measures.Kl(d.Probabilities, pi.Probabilities), Measures.ReverseKl(pi), 1e-15);
        Assert.Equal(Measures.Kl(pi) + Measures.ReverseKl(pi), Measures.Jeffreys(pi), 1e-15);
        Assert.Equal(Measures.Jeffreys(pi), Measures.Jeffreys(pi.Probabilities, d.Probabilities), 1e-15);
    }

    [Fact]
    public void BondMixture_EndpointsAreTheTwoKls_AndInfiniteTermWithZeroWeightIsLeftOut()
    {
        var d = RandomDistributions.SmallWithTies();
        var pi = Tilting.Rlhf(d, 1.0);
        var target = Tilting.BestOfN(d, 4);
        Assert.Equal(Measures.Kl(target.Probabilities, pi.Probabilities), Measures.BondMixture(pi, target, 0.0), 1e-15);
        Assert.Equal(Measures.Kl(pi.Probabilities, target.Probabilities), Measures.BondMixture(pi, target, 1.0), 1e-15);
        Assert.Equal(
            0.7 * Measures.Kl(target.Probabilities, pi.Probabilities) + 0.3 * Measures.Kl(pi.Probabilities, target.Probabilities),
            Measures.BondMixture(pi, target, 0.3), 1e-15);

        // A point mass on the top level: KL(point‖base) is finite, KL(base‖point) infinite.
        var point = new DiscretePolicy(d, new[] { 0.0, 1.0, 0.0, 0.0, 0.0 }, "point", null);
        var basePolicy = Tilting.Base(d);
        Assert.Equal(-Math.Log(0.3), Measures.BondMixture(basePolicy, point, 0.0), 1e-15);
        Assert.Equal(double.PositiveInfinity, Measures.BondMixture(point, basePolicy, 0.0));
    }

    [Fact]
    public void BondMixture_BetaOutsideUnitInterval_Throws()
    {
        var d = Tilting.Base(RandomDistributions.SmallWithTies());
        var e = Assert.Throws<ArgumentException>(() => Measures.BondMixture(d, d, 1.5));
        Assert.Contains("beta = 1.5", e.Message);
    }

    [Fact]
    public void ExpectedReward_AndStd_MatchHandComputation()
    {
        var d = RandomDistributions.SmallWithTies();
        // E = .1+.9+.2+.4+.6 = 2.2; E[r²] = .1+2.7+.2+.8+1.8 = 5.6; Var = 5.6 − 4.84 = .76.
        Assert.Equal(2.2, Measures.ExpectedReward(Tilting.Base(d)), 1e-15);
        Assert.Equal(Math.Sqrt(0.76), Measures.RewardStd(Tilting.Base(d)), 1e-15);
        Assert.Equal(Math.Sqrt(0.76), Measures.RewardStd(d, d.Probabilities), 1e-15);
    }

    [Fact]
    public void PromptSet_Measures_AreWeightedAverages()
    {
        var a = RandomDistributions.SmallWithTies();
        var b = new RewardDistribution(new[] { 0.25, 0.75 }, new[] { 1.0, 0.0 });
        var set = new PromptSet(new[] { a, b }, new[] { 0.3, 0.7 });
        var pa = Tilting.BestOfN(a, 2);
        var pb = Tilting.BestOfN(b, 2);
        var probs = new IReadOnlyList<double>[] { pa.Probabilities, pb.Probabilities };
        Assert.Equal(0.3 * Measures.WinRate(pa) + 0.7 * Measures.WinRate(pb), Measures.WinRate(set, probs), 1e-15);
        Assert.Equal(0.3 * Measures.Kl(pa) + 0.7 * Measures.Kl(pb), Measures.Kl(set, probs), 1e-15);
        Assert.Equal(0.3 * Measures.ReverseKl(pa) + 0.7 * Measures.ReverseKl(pb), Measures.ReverseKl(set, probs), 1e-15);
        Assert.Equal(0.3 * Measures.Jeffreys(pa) + 0.7 * Measures.Jeffreys(pb), Measures.Jeffreys(set, probs), 1e-15);
        Assert.Equal(
            0.3 * Measures.ExpectedReward(pa) + 0.7 * Measures.ExpectedReward(pb), Measures.ExpectedReward(set, probs), 1e-15);
    }

    [Fact]
    public void PromptSet_Measures_BadVectorNamesThePrompt()
    {
        var a = RandomDistributions.SmallWithTies();
        var set = new PromptSet(new[] { a, a });
        var probs = new IReadOnlyList<double>[] { a.Probabilities, new[] { 1.0, 0.0 } };
        var e = Assert.Throws<ArgumentException>(() => Measures.WinRate(set, probs));
        Assert.Contains("prompt 1", e.Message);
    }

    [Property]
    public bool WinRate_OfBase_IsOneHalf_ForAnyDistribution(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        return Math.Abs(Measures.WinRate(Tilting.Base(d)) - 0.5) < 1e-12;
    }

    [Property]
    public bool WinRate_BetweenPolicies_IsAntisymmetric(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt n)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        var a = Tilting.BestOfN(d, 1 + n.Get % 7);
        var b = Tilting.WinRateOptimal(d, n.Get % 11);
        return Math.Abs(Measures.WinRate(a, b) + Measures.WinRate(b, a) - 1.0) < 1e-12;
    }
}
