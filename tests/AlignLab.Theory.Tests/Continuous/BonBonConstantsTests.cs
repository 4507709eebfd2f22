namespace AlignLab.Theory.Tests;

public class BonBonConstantsTests
{
    [Theory]
    [InlineData(2, 1.0, 0.5)]
    [InlineData(4, 5.5, 0.090909)]
    [InlineData(8, 18.15, 0.027548)]
    [InlineData(16, 49.773435, 0.010046)]
    public void TargetGapAndIpoBeta_ReproduceTheTable(int n, double gap, double beta)
    {
        // THEORY.md §4 table, to half a unit of its last printed digit.
        Assert.Equal(gap, BonBonConstants.TargetGap(n), 5e-7);
        Assert.Equal(beta, BonBonConstants.IpoBeta(n), 5e-7);
    }

    [Fact]
    public void TargetGap_OfOne_IsZero()
    {
        Assert.Equal(0.0, BonBonConstants.TargetGap(1));
    }

    [Fact]
    public void TargetGap_IsTheExpectedLogGapOfBestAndWorst()
    {
        // E[log U_(n)] − E[log U_(1)] = −1/n + H_n, times (n − 1) (THEORY.md §4).
        const int n = 7;
        double hn = Enumerable.Range(1, n).Sum(k => 1.0 / k);
        Assert.Equal((n - 1) * (hn - 1.0 / n), BonBonConstants.TargetGap(n), 1e-12);
    }

    [Fact]
    public void InvalidN_NamesTheValue()
    {
        Assert.Contains("n = 0", Assert.Throws<ArgumentException>(() => BonBonConstants.TargetGap(0)).Message);
        Assert.Contains("n = 1", Assert.Throws<ArgumentException>(() => BonBonConstants.IpoBeta(1)).Message);
    }
}
