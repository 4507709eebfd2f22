using AlignLab.Engine.Bayesian;

namespace AlignLab.Engine.Tests.Bayesian;

public class PriorPrecisionSearchTests
{
    [Theory]
    [InlineData(3.0)]
    [InlineData(0.0123)]
    public void Maximise_FindsAKnownMaximumBetweenGridPoints(double argmax)
    {
        double Objective(double lambda) => -Math.Pow(Math.Log(lambda / argmax), 2);
        Assert.Equal(argmax, PriorPrecisionSearch.Maximise(Objective, 1e-4, 1e4, 9), 6);
    }

    [Fact]
    public void Maximise_ReturnsTheBoundaryForAMonotoneObjective()
    {
        Assert.Equal(1e4, PriorPrecisionSearch.Maximise(lambda => lambda, 1e-4, 1e4, 5), 6);
    }

    [Fact]
    public void Maximise_RejectsAnEmptyRange()
    {
        var e = Assert.Throws<ArgumentException>(() => PriorPrecisionSearch.Maximise(l => l, 2, 1, 5));
        Assert.Contains("max", e.Message);
    }
}
