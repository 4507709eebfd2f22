using FsCheck;
using FsCheck.Xunit;

namespace AlignLab.Theory.Tests;

public class FrontiersTests
{
    private static DiscretePolicy Member(RewardDistribution d, FrontierFamily family, double parameter) => family switch
    {
        FrontierFamily.BestOfN => Tilting.BestOfN(d, parameter),
        FrontierFamily.Optimal => Tilting.WinRateOptimal(d, parameter),
        _ => Tilting.Rlhf(d, parameter),
    };

    [Theory]
    [InlineData(FrontierFamily.BestOfN, new[] { 1.0, 2.0, 3.5, 100.0, 1e6 })]
    [InlineData(FrontierFamily.Optimal, new[] { 0.0, 0.5, 4.0, 1e4 })]
    [InlineData(FrontierFamily.Rlhf, new[] { 1e-4, 0.3, 2.0, 50.0 })]
    public void Compute_EqualsTheMeasuresOfEachTilting(FrontierFamily family, double[] parameters)
    {
        var d = RandomDistributions.SmallWithTies();
        var points = Frontiers.Compute(d, family, parameters);
        Assert.Equal(parameters.Length, points.Count);
        for (int i = 0; i < parameters.Length; i++)
        {
            var pi = Member(d, family, parameters[i]);
            Assert.Equal(family, points[i].Family);
            Assert.Equal(parameters[i], points[i].Parameter);
            Assert.Equal(Measures.Kl(pi), points[i].Kl, 1e-12);
            Assert.Equal(Measures.WinRate(pi), points[i].WinRate, 1e-12);
            Assert.Equal(Measures.ExpectedReward(pi), points[i].ExpectedReward, 1e-12);
        }
    }

    [Fact]
    public void Compute_BestOfN_OnManyDistinctLevels_EqualsTheExactTilting()
    {
        // Exercises the vectorised blocks and the skipping of negligible levels.
        var random = new Random(7);
        var d = RewardDistribution.Normalize(
            Enumerable.Range(0, 5000).Select(_ => 0.5 + random.NextDouble()).ToArray(),
            Enumerable.Range(0, 5000).Select(_ => random.NextDouble()).ToArray());
        foreach (var point in Frontiers.Compute(d, FrontierFamily.BestOfN, new[] { 1.0, 3.0, 77.7, 5000.0 }))
        {
            var pi = Tilting.BestOfN(d, point.Parameter);
            Assert.Equal(Measures.Kl(pi), point.Kl, 1e-10);
            Assert.Equal(Measures.WinRate(pi), point.WinRate, 1e-12);
            Assert.Equal(Measures.ExpectedReward(pi), point.ExpectedReward, 1e-12);
        }
    }

    [Theory]
    [InlineData(FrontierFamily.BestOfN)]
    [InlineData(FrontierFamily.Optimal)]
    [InlineData(FrontierFamily.Rlhf)]
    public void ForKlRange_HitsEachTargetKl(FrontierFamily family)
    {
        var d = RandomDistributions.SmallWithTies();
        double max = 0.9 * Frontiers.SupremumKl(d);
        var points = Frontiers.ForKlRange(d, family, 5, max);
        for (int j = 0; j < 5; j++)
        {
            Assert.Equal(max * (j + 1) / 5, points[j].Kl, 1e-9);
            Assert.Equal(points[j].Kl, Measures.Kl(Member(d, family, points[j].Parameter)), 1e-9);
        }
    }

    [Theory]
    [InlineData(1e20)]
    [InlineData(1e-20)]
    [InlineData(5e307)]
    public void ForKlRange_Rlhf_IsScaleEquivariant_UpToTheDoubleRange(double scale)
    {
        // KL and W depend on the rewards only through r/β: scaling the rewards scales β and changes nothing else. At
        // 1e20 a solve in 1/β itself would stop at Brent's absolute tolerance (1e-12) far from the root.
        var unit = new RewardDistribution(new[] { 0.3, 0.3, 0.4 }, new[] { 1.0, 0.0, -3.0 });
        var scaled = new RewardDistribution(new[] { 0.3, 0.3, 0.4 }, new[] { scale, 0.0, -3.0 * scale });
        double max = 0.9 * Frontiers.SupremumKl(unit);
        var expected = Frontiers.ForKlRange(unit, FrontierFamily.Rlhf, 3, max);
        var actual = Frontiers.ForKlRange(scaled, FrontierFamily.Rlhf, 3, max);
        for (int j = 0; j < 3; j++)
        {
            Assert.Equal(expected[j].Kl, actual[j].Kl, 1e-9);
            Assert.Equal(expected[j].WinRate, actual[j].WinRate, 1e-9);
            Assert.Equal(expected[j].Parameter * scale, actual[j].Parameter, expected[j].Parameter * scale * 1e-6);
        }
    }

    [Fact]
    public void ForKlRange_Rlhf_BetaBeyondTheDoubleRange_IsAnOverflowError_NotAWrongPoint()
    {
        // Rewards ±1.7e308 reach KL 0.01 only at β ≈ 1e310.
        var d = new RewardDistribution(new[] { 0.5, 0.5 }, new[] { 1.7e308, -1.7e308 });
        var e = Assert.Throws<ArgumentException>(() => Frontiers.ForKlRange(d, FrontierFamily.Rlhf, 1, 0.01));
        Assert.Contains("beyond the double range (the computation overflows", e.Message);
    }

    [Fact]
    public void ForKlRange_MaxKlAtOrAboveTheSupremum_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Equal(-Math.Log(0.5), Frontiers.SupremumKl(d), 1e-15);
        var e = Assert.Throws<ArgumentException>(() => Frontiers.ForKlRange(d, FrontierFamily.BestOfN, 3, 0.7));
        Assert.Contains("maxKl = 0.7", e.Message);
    }

    [Fact]
    public void SupremumKl_OfASingleRewardLevel_IsZero_AndNoKlRangeExists()
    {
        // Thirds do not sum to exactly 1 in floating point; the single level must still count as KL 0.
        var d = RewardDistribution.Normalize(new[] { 1.0, 1.0, 1.0 }, new[] { 2.0, 2.0, 2.0 });
        Assert.Equal(0.0, Frontiers.SupremumKl(d));
        Assert.Throws<ArgumentException>(() => Frontiers.ForKlRange(d, FrontierFamily.Optimal, 2, 1e-17));
    }

    [Fact]
    public void Compute_InvalidParameter_NamesIndexAndValue()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => Frontiers.Compute(d, FrontierFamily.BestOfN, new[] { 2.0, 0.5 }));
        Assert.Contains("parameters[1] = 0.5", e.Message);
        e = Assert.Throws<ArgumentException>(() => Frontiers.Compute(d, FrontierFamily.Rlhf, new[] { 0.0 }));
        Assert.Contains("parameters[0] = 0", e.Message);
    }

    [Fact]
    public void OptimalAtBonKl_MatchesBothTiltingsAtTheSameKl()
    {
        var d = RandomDistributions.SmallWithTies();
        var row = Frontiers.OptimalAtBonKl(d, 3);
        var bon = Tilting.BestOfN(d, 3);
        var optimal = Tilting.WinRateOptimal(d, row.OptimalTilt);
        Assert.Equal(Measures.Kl(bon), row.Kl, 1e-12);
        Assert.Equal(row.Kl, Measures.Kl(optimal), 1e-9);
        Assert.Equal(Measures.WinRate(bon), row.BonWinRate, 1e-12);
        Assert.Equal(Measures.WinRate(optimal), row.OptimalWinRate, 1e-9);
        Assert.True(row.Gap > 0.0);
    }

    [Property]
    public bool OptimalTilt_WinsAtLeastAsOftenAsBestOfN_AtEqualKl(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt n)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        // Gap ≥ 0 up to the root finder's KL accuracy (~1e-12) times dW/dKL (bounded by c ≤ ~100 here).
        return Frontiers.OptimalAtBonKl(d, 1 + n.Get % 30 / 4.0).Gap >= -1e-9;
    }

    [Property]
    public bool Compute_BestOfN_EqualsTheExactTilting(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt n)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        double nn = 1 + n.Get % 100 / 7.0;
        var point = Frontiers.Compute(d, FrontierFamily.BestOfN, new[] { nn })[0];
        var pi = Tilting.BestOfN(d, nn);
        return Math.Abs(point.Kl - Measures.Kl(pi)) < 1e-10 && Math.Abs(point.WinRate - Measures.WinRate(pi)) < 1e-12;
    }
}
