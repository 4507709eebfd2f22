using FsCheck;
using FsCheck.Xunit;

namespace AlignLab.Theory.Tests;

public class TiltingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void BestOfN_WithTies_EqualsEnumerationOfAllDraws(int n)
    {
        var d = RandomDistributions.SmallWithTies();
        var expected = BruteForce.SelectOfN(d.Probabilities, d.Rewards, n, worst: false);
        var bon = Tilting.BestOfN(d, n);
        // The enumeration adds K^n = 3125 products for n = 5, accumulating ~1e-14 of rounding.
        for (int i = 0; i < d.Count; i++) Assert.Equal(expected[i], bon.Probabilities[i], 1e-13);
        Assert.Equal("bon", bon.Kind);
        Assert.Equal(n, bon.Parameter);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void WorstOfN_WithTies_EqualsEnumerationOfAllDraws(int n)
    {
        var d = RandomDistributions.SmallWithTies();
        var expected = BruteForce.SelectOfN(d.Probabilities, d.Rewards, n, worst: true);
        var worst = Tilting.WorstOfN(d, n);
        for (int i = 0; i < d.Count; i++) Assert.Equal(expected[i], worst.Probabilities[i], 1e-14);
    }

    [Fact]
    public void BestOfN_RealN_LevelCdfIsFToTheN()
    {
        // THEORY.md §1: the reward CDF of π_n at each level is Fⁿ, for real n too.
        var d = RandomDistributions.SmallWithTies();
        const double n = 2.7;
        var bon = Tilting.BestOfN(d, n);
        for (int level = 0; level < d.LevelCount; level++)
        {
            double cdf = Enumerable.Range(0, d.Count).Where(i => d.LevelOfOutcome[i] <= level).Sum(i => bon.Probabilities[i]);
            Assert.Equal(Math.Pow(d.LevelCdf[level], n), cdf, 1e-14);
        }
    }

    [Fact]
    public void BestOfN_WithinALevel_KeepsBaseProportions()
    {
        var d = RandomDistributions.SmallWithTies();
        var bon = Tilting.BestOfN(d, 3.5);
        // outcomes 1 and 4 share reward 3 with p = .3 and .2.
        Assert.Equal(1.5, bon.Probabilities[1] / bon.Probabilities[4], 1e-12);
    }

    [Fact]
    public void BestOfN_AtOneMillion_IsAccurateForATinyTopLevel()
    {
        // Top level mass 1e-7: its BoN mass is 1 − (1 − 1e-7)^1e6 = 1 − exp(1e6·log(1 − 1e-7)),
        // log(1 − x) = −x − x²/2 − x³/3 (the x³ term is ~3e-22 relative: negligible).
        var d = new RewardDistribution(new[] { 0.5, 0.5 - 1e-7, 1e-7 }, new[] { 0.0, 1.0, 2.0 });
        var bon = Tilting.BestOfN(d, 1e6);
        double x = 1e-7;
        double expectedTop = 1.0 - Math.Exp(1e6 * (-x - x * x / 2));
        Assert.Equal(expectedTop, bon.Probabilities[2], 1e-13);
        Assert.All(bon.Probabilities, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(1.0, bon.Probabilities.Sum(), 1e-14);
    }

    [Fact]
    public void BestOfN_AtOneMillion_PutsAllMassOnTheTopLevelInBaseProportions()
    {
        var d = RandomDistributions.SmallWithTies();
        var bon = Tilting.BestOfN(d, 1e6);
        Assert.Equal(0.6, bon.Probabilities[1], 1e-15);
        Assert.Equal(0.4, bon.Probabilities[4], 1e-15);
        Assert.Equal(0.0, bon.Probabilities[0]);
        Assert.Equal(-Math.Log(0.5), Measures.Kl(bon), 1e-12);
    }

    [Fact]
    public void Rlhf_TinyBeta_ConcentratesOnTheTopRewardWithoutNaN()
    {
        var d = RandomDistributions.SmallWithTies();
        var rlhf = Tilting.Rlhf(d, 1e-4);
        Assert.All(rlhf.Probabilities, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(0.6, rlhf.Probabilities[1], 1e-15);
        Assert.Equal(0.4, rlhf.Probabilities[4], 1e-15);
        Assert.Equal(-Math.Log(0.5), Measures.Kl(rlhf), 1e-12);
    }

    [Fact]
    public void Rlhf_RewardsNearTheDoubleRange_EqualTheSameTiltOnScaledRewards()
    {
        // r/β = 2e308 overflows; the tilt only depends on (r − r_top)/β, so scaling r and β by 1e-308 must not change it.
        var huge = new RewardDistribution(new[] { 0.2, 0.3, 0.5 }, new[] { 1e308, 0.5e308, -1e308 });
        var scaled = new RewardDistribution(new[] { 0.2, 0.3, 0.5 }, new[] { 1.0, 0.5, -1.0 });
        var rlhf = Tilting.Rlhf(huge, 0.5e308);
        var reference = Tilting.Rlhf(scaled, 0.5);
        for (int i = 0; i < 3; i++) Assert.Equal(reference.Probabilities[i], rlhf.Probabilities[i], 1e-15);

        // With β = 0.5 every gap is beyond the double range: all mass on the top level, exactly.
        Assert.Equal(new[] { 1.0, 0.0, 0.0 }, Tilting.Rlhf(huge, 0.5).Probabilities);
    }

    [Fact]
    public void WinRateOptimal_LargeC_ConcentratesOnTheTopLevelWithoutNaN()
    {
        var d = RandomDistributions.SmallWithTies();
        var optimal = Tilting.WinRateOptimal(d, 1e4);
        Assert.All(optimal.Probabilities, v => Assert.True(double.IsFinite(v)));
        Assert.Equal(0.75, Measures.WinRate(optimal), 1e-12);
    }

    [Fact]
    public void WinRateOptimal_RatioToBaseIsExpOfCTimesWinScore()
    {
        var d = RandomDistributions.SmallWithTies();
        const double c = 1.7;
        var optimal = Tilting.WinRateOptimal(d, c);
        // π(y)/p(y) ∝ exp(c s(y)): compare outcomes 0 (s = .15) and 3 (s = .4).
        double ratio = (optimal.Probabilities[3] / d.Probabilities[3]) / (optimal.Probabilities[0] / d.Probabilities[0]);
        Assert.Equal(Math.Exp(c * (0.4 - 0.15)), ratio, 1e-12);
    }

    [Fact]
    public void Custom_WithRewardOverBeta_EqualsRlhf()
    {
        var d = RandomDistributions.SmallWithTies();
        var custom = Tilting.Custom(d, i => d.Rewards[i] / 0.3, "mine");
        var rlhf = Tilting.Rlhf(d, 0.3);
        for (int i = 0; i < d.Count; i++) Assert.Equal(rlhf.Probabilities[i], custom.Probabilities[i], 1e-15);
        Assert.Equal("mine", custom.Kind);
        Assert.Null(custom.Parameter);
    }

    [Fact]
    public void Custom_NaNWeight_NamesTheOutcome()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => Tilting.Custom(d, i => i == 3 ? double.NaN : 0.0, "bad"));
        Assert.Contains("logWeight(3) = NaN", e.Message);
    }

    [Fact]
    public void Custom_AllWeightsZero_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Throws<ArgumentException>(() => Tilting.Custom(d, _ => double.NegativeInfinity, "none"));
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void BestOfN_NBelowOneOrNotFinite_NamesTheValue(double n)
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => Tilting.BestOfN(d, n));
        Assert.Equal("n", e.ParamName);
        Assert.Contains("n = ", e.Message);
    }

    [Fact]
    public void Rlhf_NonPositiveBeta_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Throws<ArgumentException>(() => Tilting.Rlhf(d, 0.0));
    }

    [Fact]
    public void WinRateOptimal_NegativeC_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Throws<ArgumentException>(() => Tilting.WinRateOptimal(d, -1.0));
    }

    [Fact]
    public void BestOfNOfPolicy_IsNamedAfterTheInnerPolicy_AndMeasuredAgainstTheOriginalBase()
    {
        var d = RandomDistributions.SmallWithTies();
        var composed = Tilting.BestOfN(Tilting.Rlhf(d, 2.0), 3);
        Assert.Equal("bon-of-rlhf", composed.Kind);
        Assert.Same(d, composed.Base);
    }

    [Property]
    public bool Tiltings_ProbabilitiesSumToOne(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt size)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        double theta = 1.0 + size.Get % 50 / 3.0;
        var policies = new[]
        {
            Tilting.Base(d), Tilting.BestOfN(d, theta), Tilting.WorstOfN(d, theta),
            Tilting.WinRateOptimal(d, theta), Tilting.Rlhf(d, 1.0 / theta),
        };
        return policies.All(p => Math.Abs(p.Probabilities.Sum() - 1.0) < 1e-12 && p.Probabilities.All(v => v >= 0.0));
    }

    [Property]
    public bool BonOne_EqualsBase(NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        var bon = Tilting.BestOfN(d, 1.0);
        return Enumerable.Range(0, d.Count).All(i => Math.Abs(bon.Probabilities[i] - d.Probabilities[i]) < 1e-14);
    }

    [Property]
    public bool BonOfBon_EqualsBonOfProduct(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt m, PositiveInt n)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        double mm = 1 + m.Get % 6, nn = 1 + n.Get % 6;
        var composed = Tilting.BestOfN(Tilting.BestOfN(d, nn), mm);
        var direct = Tilting.BestOfN(d, mm * nn);
        return Enumerable.Range(0, d.Count).All(i => Math.Abs(composed.Probabilities[i] - direct.Probabilities[i]) < 1e-12);
    }

    [Property]
    public bool BestOfN_IntegerN_EqualsEnumeration(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt n)
    {
        var w = weights.Get.Take(5).ToArray();
        var d = RandomDistributions.From(NonEmptyArray<PositiveInt>.NewNonEmptyArray(w), levels, ties);
        int nn = 1 + n.Get % 4;
        var expected = BruteForce.SelectOfN(d.Probabilities, d.Rewards, nn, worst: false);
        var bon = Tilting.BestOfN(d, nn);
        return Enumerable.Range(0, d.Count).All(i => Math.Abs(expected[i] - bon.Probabilities[i]) < 1e-13);
    }
}
