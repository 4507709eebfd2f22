using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class BestWorstLawTests
{
    /// <summary>
    /// Brute force over all Kⁿ draws, applying the tie rule directly: the best is uniform over the tied-maximal draws,
    /// the worst uniform over the tied-minimal draws; when every draw ties, (best, worst) is a uniform ordered pair of
    /// distinct draws.
    /// </summary>
    private static double[,] BruteForce(RewardDistribution d, int n)
    {
        var k = d.Count;
        var joint = new double[k, k];
        var draw = new int[n];
        var total = (int)Math.Pow(k, n);
        for (var code = 0; code < total; code++)
        {
            var c = code;
            var probability = 1.0;
            for (var t = 0; t < n; t++)
            {
                draw[t] = c % k;
                c /= k;
                probability *= d.Probabilities[draw[t]];
            }
            var max = draw.Max(y => d.Rewards[y]);
            var min = draw.Min(y => d.Rewards[y]);
            var best = Enumerable.Range(0, n).Where(t => d.Rewards[draw[t]] == max).ToList();
            var worst = Enumerable.Range(0, n).Where(t => d.Rewards[draw[t]] == min).ToList();
            if (max > min)
            {
                foreach (var b in best)
                    foreach (var w in worst)
                        joint[draw[b], draw[w]] += probability / (best.Count * worst.Count);
            }
            else
            {
                for (var b = 0; b < n; b++)
                    for (var w = 0; w < n; w++)
                        if (b != w) joint[draw[b], draw[w]] += probability / (n * (n - 1));
            }
        }
        return joint;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Joint_MatchesBruteForceEnumeration_WithTies(int n)
    {
        var d = new RewardDistribution([0.1, 0.3, 0.2, 0.25, 0.15], [1.0, 0.0, 1.0, 2.0, 0.0]);
        AssertClose(BruteForce(d, n), BestWorstLaw.Joint(d, n));
    }

    [Fact]
    public void Joint_MatchesBruteForceEnumeration_AllTied()
    {
        var d = new RewardDistribution([0.5, 0.3, 0.2], [1.0, 1.0, 1.0]);
        AssertClose(BruteForce(d, 3), BestWorstLaw.Joint(d, 3));
    }

    [Fact]
    public void Joint_MatchesBruteForceEnumeration_DistinctRewards()
    {
        var d = ObjectiveFixtures.Distinct();
        AssertClose(BruteForce(d, 4), BestWorstLaw.Joint(d, 4));
    }

    [Fact]
    public void RowSums_AreBestOfN_ColumnSums_AreWorstOfN()
    {
        var d = ObjectiveFixtures.Tied();
        var joint = BestWorstLaw.Joint(d, 4);
        var bon = Tilting.BestOfN(d, 4).Probabilities;
        var worst = Tilting.WorstOfN(d, 4).Probabilities;
        for (var i = 0; i < d.Count; i++)
        {
            Assert.Equal(bon[i], Enumerable.Range(0, d.Count).Sum(j => joint[i, j]), 12);
            Assert.Equal(worst[i], Enumerable.Range(0, d.Count).Sum(j => joint[j, i]), 12);
        }
    }

    [Fact]
    public void SingleDraw_IsBothBestAndWorst()
    {
        var d = ObjectiveFixtures.Tied();
        var joint = BestWorstLaw.Joint(d, 1);
        for (var i = 0; i < d.Count; i++)
            for (var j = 0; j < d.Count; j++)
                Assert.Equal(i == j ? d.Probabilities[i] : 0.0, joint[i, j]);
    }

    [Fact]
    public void NBelowOne_Throws_NamingN()
    {
        var e = Assert.Throws<ArgumentException>(() => BestWorstLaw.Joint(ObjectiveFixtures.Tied(), 0));
        Assert.Equal("n", e.ParamName);
        Assert.Contains("0", e.Message);
    }

    private static void AssertClose(double[,] expected, double[,] actual)
    {
        for (var i = 0; i < expected.GetLength(0); i++)
            for (var j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - actual[i, j]) < 1e-12, $"P[{i},{j}]: brute force {expected[i, j]} vs law {actual[i, j]}");
    }
}
