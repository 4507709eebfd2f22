namespace AlignLab.Theory.Tests;

public class FrontierBenchmarkTests
{
    [Fact]
    public void Run_OnASmallCase_ReportsPositiveTimesAndTheirRatio()
    {
        // Not a timing test: a small K only checks that the benchmark runs and reports consistent numbers.
        var log = new StringWriter();
        var result = FrontierBenchmark.Run(outcomes: 2000, points: 5, log: log);
        Assert.Equal(2000, result.Outcomes);
        Assert.Equal(5, result.Points);
        Assert.True(result.MillisecondsPerPoint > 0 && result.PlainPassMilliseconds > 0);
        Assert.Equal(result.MillisecondsPerPoint / result.PlainPassMilliseconds, result.Ratio, 1e-12);
        Assert.Contains("ratio", log.ToString());
    }

    [Fact]
    public void Run_TooFewOutcomes_Throws()
    {
        Assert.Contains("outcomes = 1", Assert.Throws<ArgumentException>(() => FrontierBenchmark.Run(1, 10)).Message);
    }
}
