using AlignLab.Engine.Estimation;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Estimation;

public class MonteCarloEstimatorsTests
{
    [Fact]
    public void MeanOf_GivesSampleMeanAndStandardError()
    {
        // Values 1..4: mean 2.5, sample variance 5/3, standard error sqrt(5/3 / 4).
        var e = MonteCarloEstimators.MeanOf([1.0, 2, 3, 4]);
        Assert.Equal(2.5, e.Value, 12);
        Assert.Equal(Math.Sqrt(5.0 / 12), e.StandardError, 12);
        Assert.Equal(4, e.SampleCount);
    }

    [Fact]
    public void WinRate_CountsTiesHalf()
    {
        using var policy = tensor(new float[] { 3, 1, 2, 2 });
        using var @base = tensor(new float[] { 1, 3, 2, 0 });
        Assert.Equal((1 + 0 + 0.5 + 1) / 4, MonteCarloEstimators.WinRate(policy, @base).Value, 12);
    }

    [Fact]
    public void Kl_IsTheMeanLogRatio()
    {
        using var policy = tensor(new double[] { -1, -2, -0.5 });
        using var @base = tensor(new double[] { -2, -2, -3 });
        Assert.Equal((1 + 0 + 2.5) / 3, MonteCarloEstimators.Kl(policy, @base).Value, 12);
    }

    [Fact]
    public void MismatchedRows_OrNoSamples_Throw()
    {
        using var a = zeros(3);
        using var b = zeros(4);
        Assert.Contains("batch sizes", Assert.Throws<ArgumentException>(() => MonteCarloEstimators.WinRate(a, b)).Message);
        Assert.Throws<ArgumentException>(() => MonteCarloEstimators.Kl(a, b));
        Assert.Throws<ArgumentException>(() => MonteCarloEstimators.MeanOf([]));
        Assert.Contains("terms[1]", Assert.Throws<ArgumentException>(() => MonteCarloEstimators.MeanOf([1.0, double.NaN])).Message);
    }

    [Fact]
    public void ZScore_MeasuresDistanceInStandardErrors()
    {
        Assert.Equal(2.0, new Estimate(1.0, 0.5, 10).ZScore(2.0), 12);
        Assert.Equal(0.0, Estimate.Exact(3).ZScore(3));
    }
}
