namespace AlignLab.Theory.Tests;

public class DiscretePolicyTests
{
    [Fact]
    public void Constructor_KeepsBaseKindAndParameter()
    {
        var d = RandomDistributions.SmallWithTies();
        var policy = new DiscretePolicy(d, new[] { 0.0, 0.5, 0.0, 0.25, 0.25 }, "trained", 3.0);
        Assert.Same(d, policy.Base);
        Assert.Equal("trained", policy.Kind);
        Assert.Equal(3.0, policy.Parameter);
        Assert.Equal(new[] { 0.0, 0.5, 0.0, 0.25, 0.25 }, policy.Probabilities);
    }

    [Fact]
    public void Constructor_WrongLength_NamesBothLengths()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => new DiscretePolicy(d, new[] { 0.5, 0.5 }, "x", null));
        Assert.Contains("has 5 entries but probabilities has 2", e.Message);
    }

    [Fact]
    public void Constructor_NegativeEntry_NamesIndexAndValue()
    {
        var d = RandomDistributions.SmallWithTies();
        var e = Assert.Throws<ArgumentException>(() => new DiscretePolicy(d, new[] { 0.5, 0.6, -0.1, 0.0, 0.0 }, "x", null));
        Assert.Contains("probabilities[2] = -0.1", e.Message);
    }

    [Fact]
    public void Constructor_NotSummingToOne_Throws()
    {
        var d = RandomDistributions.SmallWithTies();
        Assert.Throws<ArgumentException>(() => new DiscretePolicy(d, new[] { 0.5, 0.6, 0.0, 0.0, 0.0 }, "x", null));
    }
}
