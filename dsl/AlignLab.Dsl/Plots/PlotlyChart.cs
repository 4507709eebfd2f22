using AlignLab.Dsl.Results;
using Microsoft.FSharp.Collections;
using Plotly.NET;

namespace AlignLab.Dsl.Plots;

/// <summary>
/// A finished AlignLab chart: a list of plotly.js traces and a layout. Saved as a self-contained HTML page with
/// plotly.js embedded (no internet needed to open it), or returned as HTML for a notebook cell.
/// Built by <see cref="FrontierChart"/>, <see cref="TrainingCurveChart"/> and <see cref="OveroptimisationChart"/>.
/// </summary>
public sealed class PlotlyChart
{
    private readonly IReadOnlyList<Trace> traces;
    private readonly Layout layout;

    internal PlotlyChart(string title, IReadOnlyList<Trace> traces, Layout layout)
    {
        Title = title;
        this.traces = traces;
        this.layout = layout;
    }

    /// <summary>The chart title, also the HTML document title.</summary>
    public string Title { get; }

    /// <summary>Number of plotly.js traces (one per curve, per named group of points, per run).</summary>
    public int TraceCount => traces.Count;

    /// <summary>
    /// The chart as a Plotly.NET <see cref="GenericChart"/>, for further styling with Plotly.NET's own functions, or
    /// for a notebook cell to display (Plotly.NET.Interactive); its display options embed the full plotly.js
    /// (<see cref="PlotlyJSReference.Full"/>) and declare the page UTF-8.
    /// </summary>
    public GenericChart ToGenericChart()
    {
        // Plotly.NET declares an empty charset (<meta charset="">) unless told; browsers then read the UTF-8 file as
        // windows-1252 and every π, ‖, α, β, σ in titles, axes and legends turns to mojibake.
        var display = DisplayOptions.setPlotlyReference(PlotlyJSReference.Full)
            .Invoke(DisplayOptions.setDocumentCharset("UTF-8")
                .Invoke(DisplayOptions.setDocumentTitle(Title).Invoke(new DisplayOptions())));
        var config = new Config();
        config.SetProperty("displaylogo", false);
        config.SetProperty("responsive", true);
        return GenericChart.NewMultiChart(ListModule.OfSeq(traces), layout, config, display);
    }

    /// <summary>A complete HTML document with plotly.js embedded inline: opens offline in any browser.</summary>
    public string ToHtml() => GenericChart.toEmbeddedHTML(ToGenericChart());

    /// <summary>
    /// Only the chart's <c>div</c> and its drawing script, for pages and notebook outputs that already load plotly.js
    /// (use <see cref="ToHtml"/> where nothing else does).
    /// </summary>
    public string ToHtmlFragment() => GenericChart.toChartHTML(ToGenericChart());

    /// <summary>The plotly.js figure (<c>{data, layout}</c>) as JSON.</summary>
    public string ToJson() => GenericChart.toFigureJson(ToGenericChart());

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> atomically (temp file + rename) and returns the full path.</summary>
    public string Save(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ArgumentException("path must be a non-empty file path.", nameof(path));
        var full = Path.GetFullPath(path);
        AtomicFile.WriteAllText(full, ToHtml());
        return full;
    }
}
