using AlignLab.Engine.Bayesian;
using AlignLab.Engine.Selection;
using static AlignLab.Engine.Tests.Bayesian.LaplaceFixtures;

namespace AlignLab.Engine.Tests.Bayesian;

public class PenalizedRewardFunctionTests
{
    [Theory]
    [InlineData(UncertaintyPenalty.StandardDeviation, 1.5)]
    [InlineData(UncertaintyPenalty.Variance, 0.25)]
    public void Score_IsMeanMinusKTimesThePenalty(UncertaintyPenalty penalty, double k)
    {
        using var model = TinyModel(12);
        var (x, w, l) = Pairs(10, 2);
        var laplace = LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(PriorPrecision: 1.0));
        var (px, y, _) = Pairs(6, 3);
        var (mean, std) = laplace.ScoreWithUncertainty(px, y);
        var (m, s) = (Values(mean), Values(std));
        var actual = Values(new PenalizedRewardFunction(laplace, k, penalty).Score(px, y));
        for (int i = 0; i < m.Length; i++)
            Assert.Equal(m[i] - k * (penalty == UncertaintyPenalty.Variance ? s[i] * s[i] : s[i]), actual[i], 10);
    }

    [Fact]
    public void Constructor_RejectsNegativeK()
    {
        using var model = TinyModel(12);
        var (x, w, l) = Pairs(4, 2);
        var laplace = LaplaceRewardModel.Fit(model, x, w, l, new LaplaceConfig(PriorPrecision: 1.0));
        var e = Assert.Throws<ArgumentException>(() => new PenalizedRewardFunction(laplace, -1));
        Assert.Contains("k", e.Message);
    }
}
