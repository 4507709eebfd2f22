using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlignLab.Dsl.Tests.Plots;

public sealed class PlotlyChartTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-chart-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void ToHtml_EmbedsPlotlyJs_AndLoadsNoScriptFromTheNetwork()
    {
        var html = ChartSamples.Frontier().ToHtml();

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Matches(@"\* plotly\.js v\d+\.\d+\.\d+", html);        // the library's own banner, inline
        Assert.True(html.Length > 1_000_000, $"the page is {html.Length} chars; plotly.js alone is over 3 MB");
        var scriptTags = Regex.Matches(html, "<script[^>]*>").Select(m => m.Value).ToArray();
        Assert.NotEmpty(scriptTags);
        Assert.All(scriptTags, tag => Assert.DoesNotContain("src=", tag));
        Assert.Contains("Plotly.newPlot", html);
        Assert.Contains("<title>BoN frontier vs trained</title>", html);
    }

    [Fact]
    public void ToHtmlFragment_IsOnlyTheChartDivAndScript()
    {
        var fragment = ChartSamples.Frontier().ToHtmlFragment();

        Assert.StartsWith("<div", fragment);
        Assert.Contains("Plotly.newPlot", fragment);
        Assert.DoesNotContain("<html", fragment);
        Assert.DoesNotContain("plotly.js v", fragment);
    }

    [Fact]
    public void ToJson_HoldsOneDataEntryPerTrace()
    {
        var chart = ChartSamples.Overoptimisation();

        using var figure = JsonDocument.Parse(chart.ToJson());

        Assert.Equal(chart.TraceCount, figure.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal("Reward over-optimisation", figure.RootElement.GetProperty("layout").GetProperty("title").GetProperty("text").GetString());
    }

    [Fact]
    public void Save_WritesTheCompletePage_CreatingFolders_AndLeavesNoTemporaryFile()
    {
        var chart = ChartSamples.Training();
        var target = Path.Combine(folder.FullName, "a", "b", "training.html");

        var written = chart.Save(target);

        Assert.Equal(Path.GetFullPath(target), written);
        var text = File.ReadAllText(written);
        Assert.EndsWith("</html>", text.TrimEnd());
        Assert.Equal(Normalise(chart.ToHtml()), Normalise(text));
        Assert.Equal(["training.html"], Directory.GetFiles(Path.GetDirectoryName(written)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Save_ReplacesAnExistingFile()
    {
        var target = Path.Combine(folder.FullName, "chart.html");
        File.WriteAllText(target, "old");

        ChartSamples.Training().Save(target);

        Assert.Contains("Plotly.newPlot", File.ReadAllText(target));
    }

    [Fact]
    public void Save_RejectsAnEmptyPath()
    {
        var error = Assert.Throws<ArgumentException>(() => ChartSamples.Training().Save(" "));
        Assert.Equal("path", error.ParamName);
    }

    // Plotly.NET gives every rendering a fresh random div id.
    private static string Normalise(string html) =>
        Regex.Replace(html, "[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", "ID");
}
