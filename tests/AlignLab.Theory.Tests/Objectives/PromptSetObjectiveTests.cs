using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class PromptSetObjectiveTests
{
    private static PromptSet Prompts() => new([ObjectiveFixtures.Tied(), ObjectiveFixtures.Distinct()], [0.25, 0.75]);

    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var objective = new PromptSetObjective(Prompts(), d => new BonBonObjective(d, 4, 0.5));
        ObjectiveFixtures.AssertGradientMatchesFiniteDifferences(objective, ObjectiveFixtures.Logits(objective.Dimension));
    }

    [Fact]
    public void Optimum_IsPerPromptOptimum()
    {
        var set = Prompts();
        var objective = new PromptSetObjective(set, d => new SftOnBestObjective(d, 4));
        var optimum = TabularMinimizer.Minimize(objective);
        var expected = set.Prompts.SelectMany(d => Tilting.BestOfN(d, 4).Probabilities).ToArray();
        Assert.True(ObjectiveFixtures.MaxAbsDiff(optimum.Probabilities, expected) < 1e-8);
    }
}
