using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class DpoObjectiveTests
{
    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var d = ObjectiveFixtures.Distinct();
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(new DpoObjective(d, 0.7), ObjectiveFixtures.Logits(d.Count));
    }

    [Fact]
    public void Value_AtBase_IsLog2()
    {
        // At π = p every log-ratio gap is 0, so each pair costs −log σ(0) = log 2 and the weights sum to 1.
        var d = ObjectiveFixtures.Distinct();
        Assert.Equal(Math.Log(2), new DpoObjective(d, 0.7).Value(ObjectiveFixtures.Log(d.Probabilities)), 12);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.0)]
    public void Optimum_IsRlhfTilt_SameBeta(double beta)
    {
        foreach (var d in new[] { ObjectiveFixtures.Distinct(), ObjectiveFixtures.Tied() })
        {
            var optimum = TabularMinimizer.Minimize(new DpoObjective(d, beta), ObjectiveFixtures.Log(d.Probabilities));
            Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, Tilting.Rlhf(d, beta).Probabilities) < 1e-7);
        }
    }
}
