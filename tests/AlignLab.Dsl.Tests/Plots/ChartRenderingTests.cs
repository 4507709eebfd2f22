using System.Text.RegularExpressions;
using AlignLab.Dsl.Plots;

namespace AlignLab.Dsl.Tests.Plots;

/// <summary>
/// Opens saved charts in headless Chromium (Debian package <c>chromium</c>; without it they
/// are skipped on a developer machine and fail under CI=true, where <c>.ci/run</c> installs it) and
/// checks that plotly.js drew them offline: an SVG plot with one drawn trace and one legend entry per trace.
/// </summary>
public sealed class ChartRenderingTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-render-");

    public void Dispose() => folder.Delete(recursive: true);

    public static TheoryData<string> ChartKinds => ["frontier", "training", "overoptimisation"];

    [SkippableTheory]
    [MemberData(nameof(ChartKinds))]
    public void SavedChart_RendersOffline_WithOneSvgTracePerTrace(string kind)
    {
        var chart = Build(kind);
        var path = chart.Save(Path.Combine(folder.FullName, kind + ".html"));

        var dom = HeadlessChromium.DumpDom(path);

        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Equal(chart.TraceCount, Regex.Matches(dom, "class=\"trace scatter").Count);
        Assert.Equal(chart.TraceCount, Regex.Matches(dom, "class=\"legendtext\"").Count);
        Assert.Contains(chart.Title, dom);
    }

    [SkippableFact]
    public void FrontierChart_DrawsErrorBarsForEveryPoint()
    {
        var path = ChartSamples.Frontier().Save(Path.Combine(folder.FullName, "frontier.html"));

        var dom = HeadlessChromium.DumpDom(path);

        // The sample has 3 result points; curves have no error bars. Each point's bars are one <g class="errorbar">.
        Assert.Equal(3, Regex.Matches(dom, "class=\"errorbar\"").Count);
        Assert.Contains(FrontierChart.KlAxisTitle, dom);
    }

    [SkippableFact]
    public void SavedChart_DeclaresUtf8_AndChromiumShowsNonAsciiLabelsAsWritten()
    {
        // The characters AlignLab's titles, axes and legends use; read as windows-1252 they turn into "Ï€", "â€–", ….
        const string title = "BoN vs optimal: W(π_n) against KL(π_n ‖ p), α = ½, β, σ ≤ 1";
        const string legend = "π_α (β = 0.1, σ-penalised)";
        var chart = FrontierChart.Create(FrontierMetric.WinRate, [new FrontierCurve(legend, [0.0, 0.5, 1.0], [0.5, 0.7, 0.8])], [], title);
        var path = chart.Save(Path.Combine(folder.FullName, "non-ascii.html"));

        Assert.Matches(new Regex("<meta charset=\"utf-8\"", RegexOptions.IgnoreCase), File.ReadAllText(path));
        var dom = HeadlessChromium.DumpDom(path);

        Assert.Contains($"<title>{title}</title>", dom);
        Assert.Contains(legend, dom);
        Assert.Contains(FrontierChart.KlAxisTitle, dom);
        Assert.DoesNotContain("Ï€", dom);
    }

    private static PlotlyChart Build(string kind) => kind switch
    {
        "frontier" => ChartSamples.Frontier(),
        "training" => ChartSamples.Training(),
        "overoptimisation" => ChartSamples.Overoptimisation(),
        _ => throw new ArgumentException($"unknown chart kind {kind}", nameof(kind)),
    };
}
