using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class ReverseKlObjectiveTests
{
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var d = ObjectiveFixtures.Tied();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new ReverseKlObjective(d, 4), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_AtBase_IsReverseKlOfBestOfN()
    {
        var d = ObjectiveFixtures.Tied();
        var expected = Measures.Kl(d.Probabilities, Tilting.BestOfN(d, 4).Probabilities);
        Assert.Equal(expected, new ReverseKlObjective(d, 4).Value(ObjectiveFixtures.Log(d.Probabilities)), 12);
    }

    [Fact]
    public void Optimum_IsBestOfN()
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new ReverseKlObjective(d, 4), ObjectiveFixtures.Log(d.Probabilities));
        Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, Tilting.BestOfN(d, 4).Probabilities) < 1e-7);
        Assert.True(optimum.Value < 1e-12);
    }
}
