using Xunit.Abstractions;
using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

public class TabularMinimizerTests(ITestOutputHelper output)
{
    [Fact]
    public void Optimum_IsCentred_AndStationary()
    {
        var d = ObjectiveFixtures.Tied();
        var optimum = TabularMinimizer.Minimize(new DpoObjective(d, 1.0), ObjectiveFixtures.Log(d.Probabilities));
        Assert.Equal(0.0, optimum.Logits.Sum(), 10);
        Assert.True(optimum.GradientNorm < 1e-8, $"gradient norm {optimum.GradientNorm}");
        Assert.Equal(1.0, optimum.Probabilities.Sum(), 12);
    }

    [Fact]
    public void WrongLengthStart_Throws_NamingLogits()
    {
        var e = Assert.Throws<ArgumentException>(() => TabularMinimizer.Minimize(new SftOnBestObjective(ObjectiveFixtures.Tied(), 2), [0.0, 1.0]));
        Assert.Equal("logits", e.ParamName);
        Assert.Contains("2", e.Message);
    }

    [Fact]
    public void Preconditioned_ReachesTheSameOptimum_InFewerIterations()
    {
        // 300 outcomes whose masses span six orders of magnitude: the IPO-BoN objective's curvature in θ_i scales with
        // p(i), so the unscaled search crawls along the rare outcomes while √p scaling evens it out.
        var weights = Enumerable.Range(0, 300).Select(i => Math.Pow(10, -6.0 * i / 299)).ToArray();
        var d = RewardDistribution.Normalize(weights, Enumerable.Range(0, 300).Select(i => Math.Sin(1.3 * i)).ToArray());
        var ipo = new IpoBestWorstObjective(d, 4);
        var start = ObjectiveFixtures.Log(d.Probabilities);
        var plain = TabularMinimizer.Minimize(ipo, start, 1e-7);
        var scaled = TabularMinimizer.Minimize(ipo, start, 1e-7, TabularMinimizer.BaseScales(d.Probabilities));
        var largest = ipo.Gradient(scaled.Logits).Max(Math.Abs);
        Assert.True(largest < 1e-6, $"largest gradient entry {largest}");
        output.WriteLine($"value: scaled {scaled.Value:R} ({scaled.Iterations} iterations), plain {plain.Value:R} ({plain.Iterations})");
        // The plain search stops on its gradient test before reaching the minimum (about 2e-9 above it).
        Assert.True(scaled.Value <= plain.Value + 1e-12 && plain.Value - scaled.Value < 1e-8);
        Assert.True(ObjectiveFixtures.MaxAbsDiff(plain.Probabilities, scaled.Probabilities) < 1e-6);
        output.WriteLine($"iterations: scaled {scaled.Iterations}, plain {plain.Iterations}");
        Assert.True(scaled.Iterations * 3 < plain.Iterations, $"iterations: scaled {scaled.Iterations}, plain {plain.Iterations}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    public void NonPositiveScale_Throws_NamingTheEntry(double bad)
    {
        var d = ObjectiveFixtures.Tied();
        var scales = Enumerable.Repeat(1.0, d.Count).ToArray();
        scales[2] = bad;
        var e = Assert.Throws<ArgumentException>(() => TabularMinimizer.Minimize(new SftOnBestObjective(d, 2), null, 1e-8, scales));
        Assert.Equal("scales", e.ParamName);
        Assert.Contains("scales[2]", e.Message);
    }
}
