using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class ExtremeLevelSumsTests
{
    /// <summary>A random distribution with ties (rewards drawn from few values) and, optionally, zero-mass outcomes.</summary>
    internal static RewardDistribution RandomTied(int k, int rewardValues, int seed, bool withZeros = false)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, k).Select(i => withZeros && i % 7 == 3 ? 0.0 : random.NextDouble() + 0.01).ToArray();
        var rewards = Enumerable.Range(0, k).Select(_ => (double)random.Next(rewardValues)).ToArray();
        return RewardDistribution.Normalize(weights, rewards);
    }

    /// <summary>M(a, b) for a &gt; b straight from BestWorstLaw's definition, summed over level pairs.</summary>
    private static (double[] Below, double[] Above) Direct(RewardDistribution d, int n, double[] v)
    {
        var f = d.LevelCdf;
        var g = d.LevelStrictCdf;
        double G(double upper, double lower) => upper > lower ? Math.Pow(upper - lower, n) : 0.0;
        var below = new double[d.LevelCount];
        var above = new double[d.LevelCount];
        for (var a = 0; a < d.LevelCount; a++)
            for (var b = 0; b < a; b++)
            {
                var m = G(f[a], g[b]) - G(g[a], g[b]) - G(f[a], f[b]) + G(g[a], f[b]);
                below[a] += m * v[b];
                above[b] += m * v[a];
            }
        return (below, above);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(40)]
    public void BelowAndAbove_MatchTheDirectLevelPairSums(int n)
    {
        // 60 levels with uneven masses; from n = 2 to a large n.
        var d = RandomTied(200, 60, seed: n);
        var v = Enumerable.Range(0, d.LevelCount).Select(a => Math.Sin(a) * 3 - 1).ToArray();
        var sums = new ExtremeLevelSums(d.LevelMasses, n);
        var (below, above) = Direct(d, n, v);
        Assert.True(ObjectiveFixtures.MaxAbsDiff(below, sums.Below(v)) < 1e-11, $"Below differs by {ObjectiveFixtures.MaxAbsDiff(below, sums.Below(v))}");
        Assert.True(ObjectiveFixtures.MaxAbsDiff(above, sums.Above(v)) < 1e-11, $"Above differs by {ObjectiveFixtures.MaxAbsDiff(above, sums.Above(v))}");
    }

    [Fact]
    public void LevelLaw_SumsToOne()
    {
        // Σ_a M(a, a) + Σ_{a>b} M(a, b) is the total probability of the (max level, min level) law.
        var d = RandomTied(7776, 1_000_000, seed: 1);
        var sums = new ExtremeLevelSums(d.LevelMasses, 8);
        var ones = Enumerable.Repeat(1.0, d.LevelCount).ToArray();
        Assert.Equal(1.0, sums.Diagonal.Sum() + sums.Below(ones).Sum(), 12);
        Assert.Equal(1.0, sums.Diagonal.Sum() + sums.Above(ones).Sum(), 12);
    }
}
