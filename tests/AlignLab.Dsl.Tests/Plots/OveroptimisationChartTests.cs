using System.Text.Json;
using AlignLab.Dsl.Plots;

namespace AlignLab.Dsl.Tests.Plots;

public sealed class OveroptimisationChartTests
{
    [Fact]
    public void Create_DrawsGoldSolidAndProxyDashed_InTheSameColourPerCurve()
    {
        var chart = ChartSamples.Overoptimisation();

        var data = FrontierChartTests.Data(chart);

        Assert.Equal(4, chart.TraceCount);
        Assert.Equal(["BoN: gold reward", "BoN: proxy reward", "BoN + Laplace penalty: gold reward", "BoN + Laplace penalty: proxy reward"],
            data.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["solid", "dash", "solid", "dash"], data.Select(t => t.GetProperty("line").GetProperty("dash").GetString()));
        Assert.Equal(Colour(data[0]), Colour(data[1]));
        Assert.Equal(Colour(data[2]), Colour(data[3]));
        Assert.NotEqual(Colour(data[0]), Colour(data[2]));
        Assert.Equal([0.02, 0.02, 0.03, 0.03], data[2].GetProperty("error_y").GetProperty("array").EnumerateArray().Select(v => v.GetDouble()));
    }

    [Fact]
    public void NAxis_IsLogarithmic_AndLabelsTheNsUsed()
    {
        using var figure = JsonDocument.Parse(ChartSamples.Overoptimisation().ToJson());
        var xAxis = figure.RootElement.GetProperty("layout").GetProperty("xaxis");

        Assert.Equal("log", xAxis.GetProperty("type").GetString());
        Assert.Equal(["1", "4", "16", "64"], xAxis.GetProperty("ticktext").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public void KlAxis_IsLinear()
    {
        var chart = OveroptimisationChart.Create(OveroptimisationAxis.Kl, [new OveroptimisationCurve("BoN", [0.0, 0.5], [0.0, 0.3], [0.0, 0.6])]);

        using var figure = JsonDocument.Parse(chart.ToJson());
        var xAxis = figure.RootElement.GetProperty("layout").GetProperty("xaxis");

        Assert.False(xAxis.TryGetProperty("type", out _));
        Assert.Equal(FrontierChart.KlAxisTitle, xAxis.GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void NAxis_RejectsNonPositiveN_NamingIndexAndValue()
    {
        var error = Assert.Throws<ArgumentException>(() => OveroptimisationChart.Create(OveroptimisationAxis.N,
            [new OveroptimisationCurve("BoN", [0.0, 2], [0.0, 0.3], [0.0, 0.6])]));

        Assert.Contains("curves[0] ('BoN'): X[0] = 0 must be > 0", error.Message);
    }

    [Fact]
    public void Create_RejectsProxyOfWrongLength()
    {
        var error = Assert.Throws<ArgumentException>(() => OveroptimisationChart.Create(OveroptimisationAxis.N,
            [new OveroptimisationCurve("BoN", [1.0, 2], [0.0, 0.3], [0.0])]));

        Assert.Contains("ProxyReward has 1 values but 2 were expected", error.Message);
    }

    private static string? Colour(JsonElement trace) => trace.GetProperty("line").GetProperty("color").GetString();
}
