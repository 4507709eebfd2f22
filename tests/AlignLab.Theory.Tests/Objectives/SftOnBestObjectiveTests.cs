using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class SftOnBestObjectiveTests
{
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new SftOnBestObjective(d, 4), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_IsCrossEntropyToBestOfN_HandComputed()
    {
        // Uniform logits over K = 6: −Σ π_n log(1/6) = log 6.
        var d = ObjectiveFixtures.Tied();
        Assert.Equal(Math.Log(6), new SftOnBestObjective(d, 4).Value(new double[6]), 12);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(16)]
    public void Optimum_IsBestOfN(int n)
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new SftOnBestObjective(d, n));
        Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, Tilting.BestOfN(d, n).Probabilities) < 1e-8);
    }
}
