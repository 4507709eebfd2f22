using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class TabularRewardTests
{
    [Fact]
    public void Score_LooksUpByPromptAndOutcome_InFloat64()
    {
        using var reward = new TabularReward([[0.0, 1.0], [5.0, -2.0]]);
        using var prompts = tensor(new long[] { 1, 0, 1 }).reshape(-1, 1);
        using var responses = tensor(new long[] { 1, 1, 0 }).reshape(-1, 1);
        using var scores = reward.Score(prompts, responses);
        Assert.Equal(ScalarType.Float64, scores.dtype);
        Assert.Equal(new[] { -2.0, 1.0, 5.0 }, scores.data<double>().ToArray());
    }

    [Fact]
    public void NonFiniteReward_Throws_NamingTheCell()
    {
        var e = Assert.Throws<ArgumentException>(() => new TabularReward([[0.0, double.NaN]]));
        Assert.Contains("[0][1]", e.Message);
    }
}
