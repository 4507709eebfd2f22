using AlignLab.Engine.Methods;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Methods;

public class EmpiricalRewardCdfTests
{
    [Fact]
    public void LogBestOfNRatio_HandComputed_WithTies()
    {
        // Base rewards (1, 2, 2, 3), query r = 2, n = 3, counting the query itself: F̂ = 4/5, F̂⁻ = 1/5, q̂ = 3/5,
        // (F̂³ − F̂⁻³)/q̂ = (0.512 − 0.008)/0.6 = 0.84.
        using var baseRewards = tensor(new[] { 1.0, 2.0, 2.0, 3.0 }).reshape(1, 4);
        using var rewards = tensor(new[] { 2.0, 5.0 }).reshape(1, 2);
        using var ratio = EmpiricalRewardCdf.LogBestOfNRatio(baseRewards, rewards, 3);
        Assert.Equal(Math.Log(0.84), ratio[0, 0].item<double>(), 12);
        // r = 5 above everything: F̂ = 1, F̂⁻ = 4/5, q̂ = 1/5: (1 − 0.512)/0.2 = 2.44.
        Assert.Equal(Math.Log(2.44), ratio[0, 1].item<double>(), 12);
    }
}
