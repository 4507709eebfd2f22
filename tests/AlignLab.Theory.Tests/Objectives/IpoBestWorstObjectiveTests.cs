using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class IpoBestWorstObjectiveTests
{
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new IpoBestWorstObjective(d, 4), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_HandComputed_TwoOutcomes()
    {
        // K = 2, p = (1/2, 1/2), r = (0, 1), n = 2: the only pairs with mass are (best, worst) = (1, 0) with probability
        // 1/2, and, when both draws tie, (0, 0) and (1, 1) with 1/4 each. At θ = (0, 0) the gap h_θ is 0 for every pair,
        // so L = Σ P (0 − h*_2)² = 1 · 1² = 1. At θ = (0, 1): pair (1, 0) has h_θ = 1, residual 0; ties keep −1: L = 1/2.
        var d = new RewardDistribution([0.5, 0.5], [0.0, 1.0]);
        var ipo = new IpoBestWorstObjective(d, 2);
        Assert.Equal(1.0, ipo.Value([0.0, 0.0]), 12);
        Assert.Equal(0.5, ipo.Value([0.0, 1.0]), 12);
    }

    [Fact]
    public void Minimizer_AgreesWithNormalEquations()
    {
        var d = ObjectiveFixtures.Tied();
        var ipo = new IpoBestWorstObjective(d, 4);
        var lbfgs = TabularMinimizer.Minimize(ipo, ObjectiveFixtures.Log(d.Probabilities));
        var closed = TabularMinimizer.Optimum(ipo, ipo.SolveNormalEquations(), 0);
        Assert.True(closed.GradientNorm < 1e-10);
        Assert.True(ObjectiveFixtures.MaxAbsDiff(lbfgs.Logits, closed.Logits) < 1e-7);
    }

    [Fact]
    public void Optimum_IsNotBestOfN_PinnedLandingPoint()
    {
        // Measured (normal equations; L-BFGS agrees to 1e-10): the IPO term alone overshoots π_n. It pins the log-ratio
        // gaps of best/worst pairs to h*_4 = 5.5 and so puts more mass on the top level than BoN_4 does.
        var d = ObjectiveFixtures.Tied();
        var ipo = new IpoBestWorstObjective(d, 4);
        var landing = TabularMinimizer.Optimum(ipo, ipo.SolveNormalEquations(), 0).Probabilities;
        var report = ObjectiveReport.Describe(ipo.Name, landing, d, 4);
        Assert.Equal(0.065097620550, report.KlToBestOfN, 9);
        Assert.Equal(0.855941516300, report.KlToBase, 9);
        Assert.Equal(0.818151474152, report.WinRate, 9);
        Assert.Equal(0.572421512440, report.BestOfNKlToBase, 9);
        Assert.Equal(0.771648125, report.BestOfNWinRate, 9);
        Assert.True(report.KlToBestOfN > 0.06);
    }

    [Fact]
    public void TiedOutcomes_KeepTheirBaseRatio()
    {
        // Outcomes 4 and 5 share the top reward; every pair treats them alike, so the optimum keeps p(4)/p(5) = 2.
        var d = ObjectiveFixtures.Tied();
        var p = TabularMinimizer.Optimum(new IpoBestWorstObjective(d, 4), new IpoBestWorstObjective(d, 4).SolveNormalEquations(), 0).Probabilities;
        Assert.Equal(2.0, p[4] / p[5], 9);
    }

    [Fact]
    public void NBelowTwo_Throws_NamingN()
    {
        var e = Assert.Throws<ArgumentException>(() => new IpoBestWorstObjective(ObjectiveFixtures.Tied(), 1));
        Assert.Equal("n", e.ParamName);
    }
}
