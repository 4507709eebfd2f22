using System.Collections;
using System.Globalization;
using System.Net;
using AlignLab.Dsl.Plots;
using Plotly.NET;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// How a cell's trailing value is shown in the executed notebook, as MIME type → text. A chart
/// (<see cref="PlotlyChart"/> or a Plotly.NET <see cref="GenericChart"/>) becomes <c>text/html</c> — its <c>div</c>
/// and drawing script with plotly.js embedded, so it draws offline in Jupyter, VS Code and nbviewer — plus a
/// <c>text/plain</c> summary for viewers that run no scripts (GitHub); anything else is <c>text/plain</c>.
/// </summary>
public static class CellDisplay
{
    private static string? plotlyJs;

    /// <summary>Items of a sequence shown before "…".</summary>
    public const int MaxItems = 50;

    /// <summary>The display bundle of <paramref name="value"/> (not null).</summary>
    public static IReadOnlyDictionary<string, string> Format(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value switch
        {
            PlotlyChart chart => Chart(chart.ToGenericChart(), $"PlotlyChart \"{chart.Title}\": {chart.TraceCount} traces"),
            GenericChart chart => Chart(chart, $"Plotly.NET chart: {GenericChart.getTraces(chart).Length} traces"),
            _ => new Dictionary<string, string> { ["text/plain"] = Text(value) },
        };
    }

    /// <summary>A value as plain text: numbers in the invariant culture, sequences as <c>[a, b, …]</c> (first <see cref="MaxItems"/> items).</summary>
    public static string Text(object? value) => value switch
    {
        null => "null",
        string s => s,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Take(MaxItems).Select(k => $"{Text(k)}: {Text(d[k])}"))
            + (d.Count > MaxItems ? ", …" : "") + "}",
        IEnumerable e => Sequence(e),
        _ => value.ToString() ?? "",
    };

    private static string Sequence(IEnumerable items)
    {
        var shown = items.Cast<object?>().Take(MaxItems + 1).Select(Text).ToList();
        return "[" + string.Join(", ", shown.Take(MaxItems)) + (shown.Count > MaxItems ? ", …" : "") + "]";
    }

    private static Dictionary<string, string> Chart(GenericChart chart, string summary)
    {
        var display = DisplayOptions.setPlotlyReference(PlotlyJSReference.Full).Invoke(GenericChart.getDisplayOptions(chart));
        chart = GenericChart.setDisplayOptions(display, chart);
        plotlyJs ??= EmbeddedLibrary(GenericChart.toEmbeddedHTML(chart));
        // Viewers that strip scripts (GitHub) still show the caption.
        string caption = $"<p><em>{WebUtility.HtmlEncode(summary)}</em></p>\n";
        return new Dictionary<string, string>
        {
            ["text/html"] = caption + plotlyJs + GenericChart.toChartHTML(chart),
            ["text/plain"] = summary + " (interactive chart in the text/html output; save it with .Save(path) to open in a browser)",
        };
    }

    // plotly.js as Plotly.NET embeds it in a full page (the page's first script), wrapped so that it loads once per page
    // and registers window.Plotly even where RequireJS defines an AMD `define` (classic Jupyter), which the chart's
    // drawing script needs.
    private static string EmbeddedLibrary(string page)
    {
        const string open = "<script type=\"text/javascript\" charset=\"utf-8\">";
        int start = page.IndexOf(open, StringComparison.Ordinal);
        int end = start < 0 ? -1 : page.IndexOf("</script>", start, StringComparison.Ordinal);
        if (end < 0) throw new InvalidOperationException("Plotly.NET's embedded HTML holds no inline plotly.js script.");
        string library = page[(start + open.Length)..end];
        return "<script type=\"text/javascript\">if (typeof window.Plotly === 'undefined') {\n"
            + "var alignlabDefine = window.define; window.define = undefined;\ntry {\n"
            + library + "\n} finally { window.define = alignlabDefine; }\n}</script>\n";
    }
}
