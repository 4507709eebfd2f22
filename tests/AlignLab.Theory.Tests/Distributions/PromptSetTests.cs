namespace AlignLab.Theory.Tests;

public class PromptSetTests
{
    [Fact]
    public void DefaultWeights_AreUniform()
    {
        var d = RandomDistributions.SmallWithTies();
        var set = new PromptSet(new[] { d, d, d, d });
        Assert.Equal(4, set.Count);
        Assert.All(set.Weights, w => Assert.Equal(0.25, w, 1e-15));
    }

    [Fact]
    public void Weights_NegativeEntry_NamesIndexAndValue()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => new PromptSet(new[] { d, d }, new[] { 1.5, -0.5 }));
        Assert.Contains("weights[1] = -0.5", e.Message);
    }

    [Fact]
    public void Weights_WrongCount_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Throws<ArgumentException>(() => new PromptSet(new[] { d, d }, new[] { 1.0 }));
    }

    [Fact]
    public void NullPrompt_NamesIndex()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => new PromptSet(new[] { d, null! }));
        Assert.Contains("prompts[1]", e.Message);
    }
}
