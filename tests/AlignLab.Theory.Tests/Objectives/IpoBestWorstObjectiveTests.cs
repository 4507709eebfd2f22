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

    [Theory]
    [InlineData(2, false)]
    [InlineData(4, true)]
    [InlineData(8, false)]
    [InlineData(20, true)]
    public void ValueAndGradient_MatchTheDenseJointLaw(int n, bool withZeros)
    {
        // The level-moment form against the definition L = Σ_ij P(i, j)·(θ_i − θ_j − log p_i + log p_j − h)² with P the
        // dense BestWorstLaw.Joint, on 40 outcomes over 12 tied reward values (with zero-mass outcomes in some cases).
        var d = ExtremeLevelSumsTests.RandomTied(40, 12, seed: 10 + n, withZeros);
        var ipo = new IpoBestWorstObjective(d, n);
        var joint = BestWorstLaw.Joint(d, n);
        var theta = ObjectiveFixtures.Logits(d.Count);
        var logP = ObjectiveFixtures.Log(d.Probabilities);
        double value = 0;
        var gradient = new double[d.Count];
        for (var i = 0; i < d.Count; i++)
            for (var j = 0; j < d.Count; j++)
            {
                if (joint[i, j] == 0) continue;
                var e = theta[i] - theta[j] - logP[i] + logP[j] - ipo.TargetGap;
                value += joint[i, j] * e * e;
                gradient[i] += 2 * joint[i, j] * e;
                gradient[j] -= 2 * joint[i, j] * e;
            }
        Assert.Equal(value, ipo.Value(theta), 9);
        Assert.True(ObjectiveFixtures.MaxAbsDiff(gradient, ipo.Gradient(theta)) < 1e-9);
    }

    [Fact]
    public void LargeK_7776Outcomes_EvaluatesWithoutTheDenseLaw()
    {
        // The toy task's size: the dense law would be 7,776² doubles (484 MB); the level form needs O(K). At θ = log p
        // every gap is 0, so L = h*² exactly (the law sums to 1).
        var d = ExtremeLevelSumsTests.RandomTied(7776, 1_000_000, seed: 3);
        var ipo = new IpoBestWorstObjective(d, 8);
        var theta = ObjectiveFixtures.Log(d.Probabilities);
        Assert.Equal(ipo.TargetGap * ipo.TargetGap, ipo.Value(theta), 8);
        Assert.Equal(0.0, ipo.Gradient(theta).Sum(), 9);
    }
}
