using System.Globalization;
using System.Text.RegularExpressions;

namespace AlignLab.Cli.Tests;

public class BenchCommandTests
{
    [Fact]
    public void BenchTheory_OnASmallCase_PrintsTimesAndTheirRatio()
    {
        // Not a timing test: a small K only checks the command wiring and that the printed ratio is the quotient of the
        // two printed times.
        var run = CliRun.Invoke("bench", "theory", "--outcomes", "2000", "--points", "4");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var match = Regex.Match(run.Output, @"per point ([\d.]+) ms .* plain pass over the same arrays ([\d.]+) ms, ratio ([\d.]+)x");
        Assert.True(match.Success, run.Output);
        double Value(int group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);
        // Times are printed to 0.001 ms and the ratio to 0.01: allow exactly that rounding.
        double perPoint = Value(1), plain = Value(2), ratio = Value(3);
        double tolerance = ratio * (0.0005 / perPoint + 0.0005 / plain) + 0.005 + 1e-9;
        Assert.Equal(perPoint / plain, ratio, tolerance);
    }

    [Fact]
    public void BenchTheory_TooFewOutcomes_FailsWithMessage()
    {
        var run = CliRun.Invoke("bench", "theory", "--outcomes", "1");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("--outcomes must be >= 2", run.Error);
    }

    [Fact]
    public void BenchEngine_UnknownDevice_FailsWithOneLineNamingIt()
    {
        var run = CliRun.Invoke("bench", "engine", "--device", "tpu-9000");
        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal("alignlab bench engine: Unknown device 'tpu-9000' (use cpu, cuda or cuda:N).", run.Error.Trim());
    }

    [Fact]
    public void Bench_UnknownBenchmark_IsAUsageError()
    {
        var run = CliRun.Invoke("bench", "nonsense");
        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("nonsense", run.Error);
    }
}
