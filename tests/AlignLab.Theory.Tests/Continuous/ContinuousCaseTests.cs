using FsCheck;
using FsCheck.Xunit;

namespace AlignLab.Theory.Tests;

public class ContinuousCaseTests
{
    /// <summary>THEORY.md §3 table: n, KL(π_n‖p), W(BoN_n), W(optimal, same KL), c, gap.</summary>
    public static TheoryData<double, double, double, double, double, double> Table => new()
    {
        { 2, 0.193147, 0.666667, 0.675907, 2.2886, 9.2e-3 },
        { 4, 0.636294, 0.800000, 0.803996, 4.9169, 4.0e-3 },
        { 8, 1.204442, 0.888889, 0.889675, 9.0545, 7.9e-4 },
        { 16, 1.835089, 0.941176, 0.941287, 17.032, 1.1e-4 },
        { 64, 3.174508, 0.984615, 0.984617, 65.008, 1.9e-6 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void OptimalAtBonKl_ReproducesTheTable(double n, double kl, double bonW, double optW, double c, double gap)
    {
        // Each value to half a unit of the table's last printed digit (1e-6 digits: 5e-7).
        var row = ContinuousCase.OptimalAtBonKl(n);
        Assert.Equal(kl, row.Kl, 5e-7);
        Assert.Equal(bonW, row.BonWinRate, 5e-7);
        Assert.Equal(optW, row.OptimalWinRate, 5e-7);
        Assert.Equal(c, row.OptimalTilt, c < 10 ? 5e-5 : 5e-4);
        Assert.Equal(gap, row.Gap, 0.5 * Math.Pow(10, Math.Floor(Math.Log10(gap)) - 1));
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void FiniteDistribution_WithManyEqualMassLevels_ReproducesTheTable(
        double n, double kl, double bonW, double optW, double c, double gap)
    {
        // K = 10⁵ distinct equal-mass rewards: the discretisation error of KL is O(n²/K²) (≤ 1e-6 for n ≤ 64) and of
        // win rates O(n/K²), so the 6-digit table values hold to 1e-6; c is printed to 5 significant digits.
        var d = RandomDistributions.EqualMassDistinct(100_000);
        var row = Frontiers.OptimalAtBonKl(d, n);
        Assert.Equal(kl, row.Kl, 1e-6);
        Assert.Equal(bonW, row.BonWinRate, 1e-6);
        Assert.Equal(optW, row.OptimalWinRate, 1e-6);
        Assert.Equal(c, row.OptimalTilt, c < 10 ? 1e-4 : 1e-3);
        Assert.Equal(gap, row.Gap, Math.Pow(10, Math.Floor(Math.Log10(gap)) - 1));
    }

    [Fact]
    public void BonClosedForms_AtOne_AreBase()
    {
        Assert.Equal(0.5, ContinuousCase.BonWinRate(1), 1e-15);
        Assert.Equal(0.0, ContinuousCase.BonKl(1), 1e-15);
    }

    [Fact]
    public void OptimalClosedForms_MatchTheirDefinitions_AcrossTheSeriesSwitch()
    {
        foreach (double c in new[] { 0.009, 0.0101, 0.5, 3.0 })
        {
            double w = 1.0 / (1.0 - Math.Exp(-c)) - 1.0 / c;
            double kl = Math.Log(c / (Math.Exp(c) - 1.0)) + c * w;
            // The direct forms lose ~1e-16/c of relative accuracy to cancellation; 1e-12 covers c ≥ 0.009.
            Assert.Equal(w, ContinuousCase.OptimalWinRate(c), 1e-12);
            Assert.Equal(kl, ContinuousCase.OptimalKl(c), 1e-12);
        }
        Assert.Equal(0.5, ContinuousCase.OptimalWinRate(0), 1e-15);
        Assert.Equal(0.0, ContinuousCase.OptimalKl(0), 1e-15);
    }

    [Fact]
    public void OptimalClosedForms_LargeC_DoNotOverflow()
    {
        // W = 1 − 1/c and KL = log c − 1 up to e^{−c} terms.
        Assert.Equal(1.0 - 1e-4, ContinuousCase.OptimalWinRate(1e4), 1e-15);
        Assert.Equal(Math.Log(1e4) - 1.0, ContinuousCase.OptimalKl(1e4), 1e-12);
    }

    [Fact]
    public void OptimalTiltForKl_InvertsOptimalKl()
    {
        foreach (double c in new[] { 0.001, 0.3, 2.0, 40.0, 1e4 })
            Assert.Equal(c, ContinuousCase.OptimalTiltForKl(ContinuousCase.OptimalKl(c)), 1e-6 * Math.Max(1.0, c));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    public void BestOfN_AsDistinctRewardsGrow_ConvergesToTheContinuousForms(double n)
    {
        double previousW = double.PositiveInfinity, previousKl = double.PositiveInfinity;
        foreach (int k in new[] { 10, 100, 1000, 10_000 })
        {
            var bon = Tilting.BestOfN(RandomDistributions.EqualMassDistinct(k), n);
            double errW = Math.Abs(Measures.WinRate(bon) - ContinuousCase.BonWinRate(n));
            double errKl = Math.Abs(Measures.Kl(bon) - ContinuousCase.BonKl(n));
            Assert.True(errW < previousW, $"K = {k}: W error {errW} did not shrink");
            Assert.True(errKl < previousKl, $"K = {k}: KL error {errKl} did not shrink");
            previousW = errW;
            previousKl = errKl;
        }
        Assert.True(previousW < 1e-6 && previousKl < 1e-5, $"at K = 10⁴: W error {previousW}, KL error {previousKl}");
    }

    [Fact]
    public void Beirami_WithTies_ExactValuesAreStrictlyBelowTheBounds()
    {
        var b = ContinuousCase.Beirami(RandomDistributions.SmallWithTies(), 4);
        Assert.Equal(ContinuousCase.BonKl(4), b.KlBound, 1e-15);
        Assert.Equal(0.8, b.WinRateBound, 1e-15);
        Assert.True(b.ExactKl < b.KlBound - 0.1, $"exact {b.ExactKl} vs bound {b.KlBound}");
        Assert.True(b.ExactWinRate < b.WinRateBound);
        Assert.Equal(b.KlBound - b.ExactKl, b.KlSlack, 1e-15);
    }

    [Fact]
    public void ClosedForms_InvalidArguments_NameTheValue()
    {
        Assert.Contains("n = 0.5", Assert.Throws<ArgumentException>(() => ContinuousCase.BonKl(0.5)).Message);
        Assert.Contains("c = -1", Assert.Throws<ArgumentException>(() => ContinuousCase.OptimalKl(-1)).Message);
        Assert.Contains("kl = NaN", Assert.Throws<ArgumentException>(() => ContinuousCase.OptimalTiltForKl(double.NaN)).Message);
        Assert.Contains("kl = 1000", Assert.Throws<ArgumentException>(() => ContinuousCase.OptimalTiltForKl(1000)).Message);
    }

    [Property]
    public bool BestOfN_KlAndWinRate_AreAtMostTheContinuousBounds(
        NonEmptyArray<PositiveInt> weights, NonEmptyArray<NonNegativeInt> levels, bool ties, PositiveInt n)
    {
        var d = RandomDistributions.From(weights, levels, ties);
        var b = ContinuousCase.Beirami(d, 1 + n.Get % 40 / 3.0);
        return b.ExactKl <= b.KlBound + 1e-12 && b.ExactWinRate <= b.WinRateBound + 1e-12;
    }
}
