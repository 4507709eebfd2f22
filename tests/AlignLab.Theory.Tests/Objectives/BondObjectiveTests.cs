using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class BondObjectiveTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Gradient_MatchesFiniteDifferences(double beta)
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new BondObjective(d, 4, beta), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_IsJeffreysMixture()
    {
        var d = ObjectiveFixtures.Tied();
        var theta = ObjectiveFixtures.Logits(d.Count);
        var pi = Softmax(theta);
        var bon = Tilting.BestOfN(d, 4).Probabilities;
        var expected = 0.25 * Measures.Kl(bon, pi) + 0.75 * Measures.Kl(pi, bon);
        Assert.Equal(expected, new BondObjective(d, 4, 0.75).Value(theta), 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Optimum_IsBestOfN(double beta)
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new BondObjective(d, 4, beta), ObjectiveFixtures.Log(d.Probabilities));
        Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, Tilting.BestOfN(d, 4).Probabilities) < 1e-7);
    }

    private static double[] Softmax(double[] theta)
    {
        var e = theta.Select(Math.Exp).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}
