using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

/// <summary>The exact objectives of every <see cref="BonBonVariant"/> (issue 12 item 1).</summary>
public class BonBonVariantObjectiveTests
{
    public static TheoryData<BonBonVariant> Variants => [BonBonVariant.SquaredSum, BonBonVariant.LogisticSum, BonBonVariant.SquaredMean, BonBonVariant.LogisticMean];

    /// <summary>
    /// p = (½, ½), r = (0, 1), n = 2: P(best = 1, worst = 0) = ½, both draws on one outcome ¼ each (gap 0); π_2 = (¼, ¾).
    /// At θ = log p + (0, 1): log Z = log(½(1 + e)), log π = (log ½ − log Z, log ½ + 1 − log Z), so the SFT term is
    /// ¼·(log Z − log ½) + ¾·(log Z − log ½ − 1) and the pair gaps are 1 (mass ½) and 0 (mass ½). With β = ¼ (target
    /// gap 2) and ℓ = 2: squared sum ½(1 − 2)² + ½·2² = 2.5; squared mean ¼·(½(1 − 4)² + ½·4²) = 3.125; logistic sum
    /// ½·softplus(−¼) + ½·log 2; logistic mean ½·softplus(−⅛) + ½·log 2; the mean forms halve the SFT term.
    /// </summary>
    [Theory]
    [InlineData(BonBonVariant.SquaredSum)]
    [InlineData(BonBonVariant.LogisticSum)]
    [InlineData(BonBonVariant.SquaredMean)]
    [InlineData(BonBonVariant.LogisticMean)]
    public void Value_HandComputed(BonBonVariant variant)
    {
        var d = new RewardDistribution([0.5, 0.5], [0.0, 1.0]);
        var logZ = Math.Log(0.5 * (1 + Math.E));
        var sft = 0.25 * (logZ - Math.Log(0.5)) + 0.75 * (logZ - Math.Log(0.5) - 1);
        double Softplus(double x) => Math.Log(1 + Math.Exp(x));
        var (sftPart, preference) = variant switch
        {
            BonBonVariant.SquaredSum => (sft, 2.5),
            BonBonVariant.SquaredMean => (sft / 2, 3.125),
            BonBonVariant.LogisticSum => (sft, 0.5 * Softplus(-0.25) + 0.5 * Math.Log(2)),
            _ => (sft / 2, 0.5 * Softplus(-0.125) + 0.5 * Math.Log(2)),
        };
        var objective = new BonBonObjective(d, 2, 0.3, variant, beta: 0.25, responseLength: 2);
        Assert.Equal(0.3 * sftPart + 0.7 * preference, objective.Value([Math.Log(0.5), Math.Log(0.5) + 1]), 12);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Gradient_MatchesFiniteDifferences(BonBonVariant variant)
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new BonBonObjective(d, 4, 0.3, variant, responseLength: 3), ObjectiveFixtures.Logits(d.Count));
    }

    /// <summary>
    /// Dense enumeration: every ordered triple of base draws (distinct rewards, so the best and worst draws are the
    /// arg-max and arg-min), its probability times the loss on its (best, worst) pair, summed.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Value_EqualsDenseEnumerationOfDrawTriples(BonBonVariant variant)
    {
        var d = ObjectiveFixtures.Distinct();
        const int n = 3, length = 3;
        const double alpha = 0.4, beta = 0.2;
        var theta = ObjectiveFixtures.Logits(d.Count);
        var logPi = Normalise(theta);
        var p = d.Probabilities;
        var r = d.Rewards;
        var scale = variant.AveragesTokens() ? length : 1.0;
        var expected = 0.0;
        for (var a = 0; a < d.Count; a++)
            for (var b = 0; b < d.Count; b++)
                for (var c = 0; c < d.Count; c++)
                {
                    int[] draws = [a, b, c];
                    var best = draws.MaxBy(i => r[i]);
                    var worst = draws.MinBy(i => r[i]);
                    var h = (logPi[best] - Math.Log(p[best]) - logPi[worst] + Math.Log(p[worst])) / scale;
                    var preference = variant.IsLogistic() ? Math.Log(1 + Math.Exp(-beta * h)) : Math.Pow(h - 1 / (2 * beta), 2);
                    expected += p[a] * p[b] * p[c] * (alpha * -logPi[best] / scale + (1 - alpha) * preference);
                }
        Assert.Equal(expected, new BonBonObjective(d, n, alpha, variant, beta, length).Value(theta), 10);
    }

    /// <summary>
    /// The L-BFGS optimum (the one the study reports) agrees with nonlinear conjugate gradients, a second optimiser. The
    /// logistic forms' optimum lies far out (the rarest outcome's logit near −60 at α = ½), where fixed-step descent
    /// crawls; there the objective is nearly flat, so the two agree to 1e-4 in the logits and to 1e-12 in value.
    /// </summary>
    [Theory]
    [MemberData(nameof(Variants))]
    public void Optimum_AgreesWithGradientDescent(BonBonVariant variant)
    {
        var d = ObjectiveFixtures.Tied();
        var objective = new BonBonObjective(d, 4, 0.5, variant, responseLength: 2);
        var start = ObjectiveFixtures.Log(d.Probabilities);
        var lbfgs = TabularMinimizer.Minimize(objective, start);
        var second = ObjectiveFixtures.ConjugateGradient(objective, start);
        Assert.True(lbfgs.GradientNorm < 1e-8, $"{variant}: gradient norm {lbfgs.GradientNorm} at the L-BFGS optimum");
        var difference = ObjectiveFixtures.MaxAbsDiff(lbfgs.Logits, second);
        Assert.True(difference < 1e-4, $"{variant}: L-BFGS and conjugate gradients differ by {difference} in the logits");
        Assert.True(Math.Abs(objective.Value(lbfgs.Logits) - objective.Value(second)) < 1e-12);
    }

    [Fact]
    public void SquaredSum_IsTheFormBeforeIssue12()
    {
        var d = ObjectiveFixtures.Tied();
        var theta = ObjectiveFixtures.Logits(d.Count);
        var expected = 0.3 * new SftOnBestObjective(d, 4).Value(theta) + 0.7 * new IpoBestWorstObjective(d, 4).Value(theta);
        Assert.Equal(expected, new BonBonObjective(d, 4, 0.3, BonBonVariant.SquaredSum).Value(theta), 12);
    }

    /// <summary>α = P/(S + P): squared β*_8 has P = h*_8² = 18.15² = 329.42; logistic P = log 2.</summary>
    [Fact]
    public void EqualTermsAlpha_HandComputed()
    {
        var hStar = BonBonConstants.TargetGap(8);
        Assert.Equal(hStar * hStar / (6.3 + hStar * hStar), BonBonVariant.SquaredSum.EqualTermsAlpha(6.3, BonBonConstants.IpoBeta(8)), 12);
        Assert.Equal(Math.Log(2) / (6.3 + Math.Log(2)), BonBonVariant.LogisticSum.EqualTermsAlpha(6.3, 0.0275482), 12);
        Assert.Equal(0.5, BonBonVariant.LogisticMean.EqualTermsAlpha(Math.Log(2), 1.0), 12);
        Assert.Equal("sftAtReference", Assert.Throws<ArgumentException>(() => BonBonVariant.SquaredSum.EqualTermsAlpha(double.NaN, 0.1)).ParamName);
    }

    private static double[] Normalise(double[] theta)
    {
        var logZ = Math.Log(theta.Sum(Math.Exp));
        return theta.Select(t => t - logZ).ToArray();
    }
}
