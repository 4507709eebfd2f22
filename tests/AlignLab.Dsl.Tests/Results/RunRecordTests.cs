using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class RunRecordTests
{
    private static RunRecord Record(params MetricRecord[] metrics) => new(
        new RunManifest("20260101-000000-x-0000", "x", 1, RunStatus.Completed, DateTimeOffset.UnixEpoch, null, null,
            new RunVersions("0", "0", "0", "0"), null, JsonSerializer.SerializeToElement<object?>(null)),
        "/tmp/x", metrics, null, []);

    [Fact]
    public void FinalMetrics_TakesTheLastLoggedValueOfEachMetric()
    {
        var record = Record(
            new MetricRecord(1, new Dictionary<string, double> { ["loss"] = 1.0, ["kl"] = 0.1 }),
            new MetricRecord(2, new Dictionary<string, double> { ["loss"] = 0.5 }));

        Assert.Equal(new Dictionary<string, double> { ["kl"] = 0.1, ["loss"] = 0.5 }, record.FinalMetrics());
    }

    [Fact]
    public void Curve_CollectsOneMetricOverSteps()
    {
        var record = Record(
            new MetricRecord(10, new Dictionary<string, double> { ["loss"] = 1.0 }),
            new MetricRecord(20, new Dictionary<string, double> { ["kl"] = 0.2 }),
            new MetricRecord(30, new Dictionary<string, double> { ["loss"] = 0.5 }));

        var curve = record.Curve("loss");

        Assert.Equal("x", curve.Run);
        Assert.Equal([10.0, 30.0], curve.Step);
        Assert.Equal([1.0, 0.5], curve.Value);
        Assert.Contains("never logged", Assert.Throws<ArgumentException>(() => record.Curve("win_rate")).Message);
    }
}
