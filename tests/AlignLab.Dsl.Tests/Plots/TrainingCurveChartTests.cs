using System.Text.Json;
using AlignLab.Dsl.Plots;

namespace AlignLab.Dsl.Tests.Plots;

public sealed class TrainingCurveChartTests
{
    [Fact]
    public void Create_DrawsOneLinePerRun_WithItsSteps()
    {
        var chart = ChartSamples.Training();

        var data = FrontierChartTests.Data(chart);

        Assert.Equal(2, chart.TraceCount);
        Assert.Equal(["BoNBoN", "DPO"], data.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal([0.0, 10, 20, 30], data[0].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.False(data[0].TryGetProperty("error_y", out _));
        Assert.Equal([0.05, 0.04, 0.04, 0.03], data[1].GetProperty("error_y").GetProperty("array").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void Axes_AreStepAndTheMetric()
    {
        using var figure = JsonDocument.Parse(ChartSamples.Training().ToJson());
        var layout = figure.RootElement.GetProperty("layout");

        Assert.Equal("step", layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("loss", layout.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("loss during training", layout.GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Create_RejectsStdErrOfWrongLength_NamingTheRun()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            TrainingCurveChart.Create("loss", [new TrainingCurve("DPO", [0.0, 1], [1.0, 0.5], [0.1])]));

        Assert.Contains("curves[0] ('DPO'): StdErr has 1 values but 2 were expected", error.Message);
    }

    [Fact]
    public void Create_RejectsNoRunsAndNoMetricName()
    {
        Assert.Equal("curves", Assert.Throws<ArgumentException>(() => TrainingCurveChart.Create("loss", [])).ParamName);
        Assert.Equal("metric", Assert.Throws<ArgumentException>(() =>
            TrainingCurveChart.Create("", [new TrainingCurve("a", [0.0], [1.0])])).ParamName);
    }
}
