namespace AlignLab.Theory.Tests;

public class RewardDistributionTests
{
    [Fact]
    public void Levels_CdfStrictCdfMassAndWinScore_MatchHandComputation()
    {
        // rewards 1, 3, 1, 2, 3 with p = .1, .3, .2, .2, .2: levels 1 (.3), 2 (.2), 3 (.5).
        var d = RandomDistributions.SmallWithTies();
        double[] f = { 0.3, 1.0, 0.3, 0.5, 1.0 };
        double[] fMinus = { 0.0, 0.5, 0.0, 0.3, 0.5 };
        double[] q = { 0.3, 0.5, 0.3, 0.2, 0.5 };
        double[] s = { 0.15, 0.75, 0.15, 0.4, 0.75 };
        for (int i = 0; i < d.Count; i++)
        {
            Assert.Equal(f[i], d.Cdf[i], 1e-15);
            Assert.Equal(fMinus[i], d.StrictCdf[i], 1e-15);
            Assert.Equal(q[i], d.LevelMass[i], 1e-15);
            Assert.Equal(s[i], d.WinScore[i], 1e-15);
        }
        Assert.Equal(3, d.LevelCount);
        Assert.Equal(new[] { 1.0, 2.0, 3.0 }, d.LevelRewards);
        Assert.Equal(new[] { 0, 2, 0, 1, 2 }, d.LevelOfOutcome);
    }

    [Fact]
    public void Constructor_MismatchedLengths_NamesBothLengths()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { 0.5, 0.5 }, new[] { 1.0 }));
        Assert.Contains("2 entries", e.Message);
        Assert.Contains("has 1", e.Message);
    }

    [Fact]
    public void Constructor_NegativeProbability_NamesIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { 0.6, 0.5, -0.1 }, new[] { 1.0, 2.0, 3.0 }));
        Assert.Contains("probabilities[2] = -0.1", e.Message);
        Assert.Equal("probabilities", e.ParamName);
    }

    [Fact]
    public void Constructor_NaNProbability_NamesIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { double.NaN, 1.0 }, new[] { 1.0, 2.0 }));
        Assert.Contains("probabilities[0] = NaN", e.Message);
    }

    [Fact]
    public void Constructor_NaNOrInfiniteReward_NamesIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { 0.5, 0.5 }, new[] { 1.0, double.NaN }));
        Assert.Contains("rewards[1] = NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { 0.5, 0.5 }, new[] { double.PositiveInfinity, 1.0 }));
        Assert.Contains("rewards[0] = Infinity", e.Message);
    }

    [Fact]
    public void Constructor_SumOffByMoreThan1e9_Throws_WithinTolerance_Accepts()
    {
        var e = Assert.Throws<ArgumentException>(() => new RewardDistribution(new[] { 0.5, 0.5 + 2e-9 }, new[] { 1.0, 2.0 }));
        Assert.Contains("sums to", e.Message);
        var d = new RewardDistribution(new[] { 0.5, 0.5 + 5e-10 }, new[] { 1.0, 2.0 });
        Assert.Equal(1.0, d.Probabilities.Sum(), 1e-15);
    }

    [Fact]
    public void Constructor_Empty_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RewardDistribution(Array.Empty<double>(), Array.Empty<double>()));
    }

    [Fact]
    public void Normalize_DividesByTheSum()
    {
        var d = RewardDistribution.Normalize(new[] { 1.0, 3.0 }, new[] { 0.0, 1.0 });
        Assert.Equal(new[] { 0.25, 0.75 }, d.Probabilities);
    }

    [Fact]
    public void Normalize_AllZeroWeights_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => RewardDistribution.Normalize(new[] { 0.0, 0.0 }, new[] { 0.0, 1.0 }));
        Assert.Contains("sum to 0", e.Message);
    }

    [Fact]
    public void Normalize_NegativeWeight_NamesIndexAndValue()
    {
        var e = Assert.Throws<ArgumentException>(() => RewardDistribution.Normalize(new[] { 1.0, -2.0 }, new[] { 0.0, 1.0 }));
        Assert.Contains("weights[1] = -2", e.Message);
    }

    [Fact]
    public void ZeroMassOutcome_GetsItsLevelsCdfAndZeroLevelMass()
    {
        var d = new RewardDistribution(new[] { 0.5, 0.0, 0.5 }, new[] { 0.0, 1.0, 2.0 });
        Assert.Equal(0.5, d.Cdf[1], 1e-15);
        Assert.Equal(0.5, d.StrictCdf[1], 1e-15);
        Assert.Equal(0.0, d.LevelMass[1]);
        Assert.Equal(0.5, d.WinScore[1], 1e-15);
    }
}
