using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class BonBonObjectiveTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Gradient_MatchesFiniteDifferences(double alpha)
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new BonBonObjective(d, 4, alpha), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_IsAlphaMixtureOfSftAndIpo()
    {
        var d = ObjectiveFixtures.Tied();
        var theta = ObjectiveFixtures.Logits(d.Count);
        var expected = 0.3 * new SftOnBestObjective(d, 4).Value(theta) + 0.7 * new IpoBestWorstObjective(d, 4).Value(theta);
        Assert.Equal(expected, new BonBonObjective(d, 4, 0.3).Value(theta), 12);
    }

    /// <summary>
    /// Landing points of BoNBoN on the tied K = 6 distribution with n = 4 (π_n: KL to base 0.572422, win rate 0.771648),
    /// measured with L-BFGS and cross-checked against 200,000 steps of plain gradient descent (step 0.05), which agree to
    /// 1e-9 in the logits. The SFT term pulls the optimum towards π_n as α grows; none of them is π_n.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.065097620551, 0.855941516303, 0.818151474152)]
    [InlineData(0.1, 0.063308709820, 0.851453576926, 0.817515267737)]
    [InlineData(0.5, 0.052201283426, 0.821443065864, 0.813059295267)]
    [InlineData(0.9, 0.029503726350, 0.735371070282, 0.798211762200)]
    public void Optimum_PinnedLandingPoint_CrossCheckedByGradientDescent(double alpha, double klToBon, double klToBase, double winRate)
    {
        var d = ObjectiveFixtures.Tied();
        var objective = new BonBonObjective(d, 4, alpha);
        var start = ObjectiveFixtures.Log(d.Probabilities);
        var lbfgs = TabularMinimizer.Minimize(objective, start);
        var descent = ObjectiveFixtures.GradientDescent(objective, start, 0.05, 200_000);
        Assert.True(ObjectiveFixtures.MaxAbsDiff(lbfgs.Logits, descent) < 1e-8, $"L-BFGS and gradient descent differ by {ObjectiveFixtures.MaxAbsDiff(lbfgs.Logits, descent)}");
        var report = ObjectiveReport.Describe(objective.Name, lbfgs.Probabilities, d, 4);
        Assert.Equal(klToBon, report.KlToBestOfN, 8);
        Assert.Equal(klToBase, report.KlToBase, 8);
        Assert.Equal(winRate, report.WinRate, 8);
    }

    [Fact]
    public void AlphaOne_IsSftOnBest_OptimumIsBestOfN()
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new BonBonObjective(d, 4, 1.0));
        Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, Tilting.BestOfN(d, 4).Probabilities) < 1e-8);
    }

    [Fact]
    public void AlphaOutsideUnitInterval_Throws_NamingAlpha()
    {
        var e = Assert.Throws<ArgumentException>(() => new BonBonObjective(ObjectiveFixtures.Tied(), 4, 1.5));
        Assert.Equal("alpha", e.ParamName);
        Assert.Contains("1.5", e.Message);
    }
}
