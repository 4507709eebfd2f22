using AlignLab.Engine.Selection;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Selection;

public class PenalizedRewardTests
{
    [Theory]
    [InlineData(UncertaintyPenalty.StandardDeviation, 1.0 - 2 * 0.5)]
    [InlineData(UncertaintyPenalty.Variance, 1.0 - 2 * 0.25)]
    public void Apply_SubtractsKTimesPenalty(UncertaintyPenalty penalty, double expected)
    {
        using var mean = tensor(new float[] { 1.0f });
        using var std = tensor(new float[] { 0.5f });
        using var result = PenalizedReward.Apply(mean, std, 2.0, penalty);
        Assert.Equal(expected, result.item<float>(), 6);
    }

    [Fact]
    public void NegativeK_Throws_NamingK()
    {
        using var mean = zeros(1);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => PenalizedReward.Apply(mean, mean, -1, UncertaintyPenalty.Variance)).ParamName);
    }
}
