using AlignLab.Cli.Notebooks;
using AlignLab.Dsl.Plots;

namespace AlignLab.Cli.Tests.Notebooks;

public class CellDisplayTests
{
    [Fact]
    public void Numbers_UseTheInvariantCulture_AndSequencesAreBracketed()
    {
        Assert.Equal("0.25", CellDisplay.Text(0.25));
        Assert.Equal("[1, 2.5, x]", CellDisplay.Text(new object[] { 1, 2.5, "x" }));
        Assert.Equal("{a: 1}", CellDisplay.Text(new Dictionary<string, int> { ["a"] = 1 }));
    }

    [Fact]
    public void LongSequences_AreCutAfterMaxItems()
    {
        string text = CellDisplay.Text(Enumerable.Range(0, 1000));
        Assert.EndsWith($"{CellDisplay.MaxItems - 1}, …]", text);
    }

    [Fact]
    public void PlainValue_HasOnlyTextPlain() =>
        Assert.Equal(["text/plain"], CellDisplay.Format(42).Keys);

    [Fact]
    public void GenericChart_IsShownLikeAnAlignLabChart()
    {
        var chart = FrontierChart.Create(FrontierMetric.ExpectedReward, [new FrontierCurve("a", [0.0, 1.0], [0.0, 1.0])]).ToGenericChart();
        var bundle = CellDisplay.Format(chart);
        Assert.StartsWith("Plotly.NET chart: 1 traces", bundle["text/plain"]);
        Assert.Contains("Plotly.newPlot", bundle["text/html"]);
        Assert.Contains("plotly.js v", bundle["text/html"]);
    }
}
