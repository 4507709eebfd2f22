using System.Text.Json;
using AlignLab.Dsl.Plots;

namespace AlignLab.Dsl.Tests.Plots;

public sealed class FrontierChartTests
{
    [Fact]
    public void Create_MakesOneTracePerCurve_ThenOnePerPointName()
    {
        var chart = ChartSamples.Frontier();

        var data = Data(chart);

        Assert.Equal(4, chart.TraceCount);
        Assert.Equal(["BoN (analytic)", "second curve", "BoNBoN", "DPO"], data.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["lines+markers", "lines+markers", "markers", "markers"], data.Select(t => t.GetProperty("mode").GetString()));
    }

    [Fact]
    public void Curve_KeepsTheAnalyticBonFrontier()
    {
        var data = Data(ChartSamples.Frontier());

        var x = data[0].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var y = data[0].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        // KL(π_n‖p) = log n − (n−1)/n and W(π_n) = n/(n+1) (THEORY.md §2); n = 1 is the base itself: (0, ½).
        Assert.Equal(ChartSamples.Ns.Length, x.Length);
        for (var i = 0; i < ChartSamples.Ns.Length; i++)
        {
            var n = ChartSamples.Ns[i];
            Assert.Equal(Math.Log(n) - (n - 1.0) / n, x[i], 12);
            Assert.Equal(n / (n + 1.0), y[i], 12);
        }
        Assert.Equal(0.0, x[0], 15);
        Assert.Equal(0.5, y[0], 15);
    }

    [Fact]
    public void Points_CarryTheirStandardErrorsAsErrorBarsOnBothAxes()
    {
        var bonbon = Data(ChartSamples.Frontier())[2];

        Assert.Equal([0.60, 1.30], bonbon.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0.03, 0.05], bonbon.GetProperty("error_x").GetProperty("array").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0.012, 0.010], bonbon.GetProperty("error_y").GetProperty("array").EnumerateArray().Select(v => v.GetDouble()));
        Assert.True(bonbon.GetProperty("error_y").GetProperty("visible").GetBoolean());
        Assert.Equal(["n=4", "n=8"], bonbon.GetProperty("text").EnumerateArray().Select(v => v.GetString()));
    }

    [Theory]
    [InlineData(FrontierMetric.WinRate, "win rate against base", "Win rate vs KL")]
    [InlineData(FrontierMetric.ExpectedReward, "expected reward", "Expected reward vs KL")]
    public void Axes_AreTitledByTheMetric(FrontierMetric metric, string yTitle, string defaultTitle)
    {
        var chart = FrontierChart.Create(metric, [ChartSamples.BonFrontier()]);

        using var figure = JsonDocument.Parse(chart.ToJson());
        var layout = figure.RootElement.GetProperty("layout");

        Assert.Equal(FrontierChart.KlAxisTitle, layout.GetProperty("xaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(yTitle, layout.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString());
        Assert.Equal(defaultTitle, chart.Title);
        Assert.True(layout.GetProperty("showlegend").GetBoolean());
    }

    [Fact]
    public void Paths_AreDottedLinesBetweenTheCurvesAndThePoints()
    {
        var path = new FrontierCurve("path: BoNBoN", [0.0, 1.2, 3.5], [0.5, 0.83, 0.95]);
        var chart = FrontierChart.Create(FrontierMetric.WinRate, [ChartSamples.BonFrontier()], [new ResultPoint("DPO", 0.9, 0, 0.7, 0)], paths: [path]);

        var data = Data(chart);

        Assert.Equal(["BoN (analytic)", "path: BoNBoN", "DPO"], data.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("dot", data[1].GetProperty("line").GetProperty("dash").GetString());
        Assert.Equal([0.0, 1.2, 3.5], data[1].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([0.5, 0.83, 0.95], data[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        var error = Assert.Throws<ArgumentException>(() =>
            FrontierChart.Create(FrontierMetric.WinRate, [], paths: [new FrontierCurve("bad path", [0.0, 1.0], [0.5])]));
        Assert.Contains("bad path", error.Message);
    }

    [Fact]
    public void PointsOnly_IsAValidChart()
    {
        var chart = FrontierChart.Create(FrontierMetric.WinRate, [], [new ResultPoint("BoN n=4", 0.64, 0, 0.8, 0.01)]);

        Assert.Equal(1, chart.TraceCount);
    }

    [Fact]
    public void Create_RejectsCurveWithMismatchedLengths_NamingTheCurve()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FrontierChart.Create(FrontierMetric.WinRate, [new FrontierCurve("BoN", [0.0, 1.0], [0.5])]));

        Assert.Equal("curves", error.ParamName);
        Assert.Contains("curves[0] ('BoN'): Value has 1 values but 2 were expected", error.Message);
    }

    [Fact]
    public void Create_RejectsNonFiniteValue_NamingIndexAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            FrontierChart.Create(FrontierMetric.WinRate, [ChartSamples.BonFrontier(), new FrontierCurve("bad", [0.0, 1.0], [0.5, double.NaN])]));

        Assert.Contains("curves[1] ('bad'): Value[1] = NaN", error.Message);
    }

    [Fact]
    public void Create_RejectsNegativeStandardError_NamingThePoint()
    {
        var error = Assert.Throws<ArgumentException>(() => FrontierChart.Create(FrontierMetric.WinRate, [],
            [new ResultPoint("ok", 0.1, 0, 0.6, 0), new ResultPoint("DPO", 0.1, -0.5, 0.6, 0)]));

        Assert.Equal("points", error.ParamName);
        Assert.Contains("points[1] ('DPO'): KlStdErr = -0.5", error.Message);
    }

    [Fact]
    public void Create_RejectsAnEmptyChart()
    {
        var error = Assert.Throws<ArgumentException>(() => FrontierChart.Create(FrontierMetric.WinRate, [], []));
        Assert.Equal("curves", error.ParamName);
    }

    [Fact]
    public void Create_RejectsUnnamedCurve()
    {
        var error = Assert.Throws<ArgumentException>(() => FrontierChart.Create(FrontierMetric.WinRate, [new FrontierCurve(" ", [0.0], [0.5])]));
        Assert.Contains("curves[0]: the name is empty", error.Message);
    }

    internal static JsonElement[] Data(PlotlyChart chart)
    {
        using var figure = JsonDocument.Parse(chart.ToJson());
        return figure.RootElement.GetProperty("data").EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
