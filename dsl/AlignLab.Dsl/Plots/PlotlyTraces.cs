using Plotly.NET;

namespace AlignLab.Dsl.Plots;

/// <summary>Builds plotly.js traces and layouts (plain JSON-shaped objects) shared by the chart kinds.</summary>
internal static class PlotlyTraces
{
    // plotly.js's default colour cycle, fixed here so a curve and its points can be given the same colour on purpose.
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static readonly string[] Symbols = ["circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down"];

    public static string Color(int index) => Palette[index % Palette.Length];

    public static string Symbol(int index) => Symbols[index % Symbols.Length];

    public static Trace Line(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, string color, string dash = "solid",
        string? legendGroup = null, IReadOnlyList<double>? yStdErr = null)
    {
        var trace = Scatter(name, x, y, "lines+markers", legendGroup);
        trace.SetProperty("line", new Dictionary<string, object> { ["color"] = color, ["width"] = 2, ["dash"] = dash });
        trace.SetProperty("marker", new Dictionary<string, object> { ["color"] = color, ["size"] = 4 });
        if (yStdErr is not null) trace.SetProperty("error_y", ErrorBars(yStdErr, color));
        return trace;
    }

    public static Trace Markers(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, string color, string symbol,
        IReadOnlyList<double> xStdErr, IReadOnlyList<double> yStdErr, IReadOnlyList<string?> labels)
    {
        var trace = Scatter(name, x, y, "markers", legendGroup: null);
        trace.SetProperty("marker", new Dictionary<string, object>
        {
            ["color"] = color, ["size"] = 10, ["symbol"] = symbol,
            ["line"] = new Dictionary<string, object> { ["color"] = "#000000", ["width"] = 1 },
        });
        trace.SetProperty("error_x", ErrorBars(xStdErr, color));
        trace.SetProperty("error_y", ErrorBars(yStdErr, color));
        if (labels.Any(l => l is not null))
        {
            trace.SetProperty("text", labels.Select(l => l ?? "").ToArray());
            trace.SetProperty("hovertemplate", "%{text}<br>x=%{x:.4g} ± %{error_x.array:.2g}<br>y=%{y:.4g} ± %{error_y.array:.2g}<extra>%{fullData.name}</extra>");
        }
        return trace;
    }

    public static Layout Layout(string title, string xTitle, string yTitle, bool logX = false, IReadOnlyList<double>? xTicks = null)
    {
        var layout = new Layout();
        layout.SetProperty("height", 560);
        layout.SetProperty("title", new Dictionary<string, object> { ["text"] = title, ["x"] = 0.5 });
        var xAxis = Axis(xTitle, logX);
        if (xTicks is not null)
        {
            xAxis["tickvals"] = xTicks.ToArray();
            xAxis["ticktext"] = xTicks.Select(t => t.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
        layout.SetProperty("xaxis", xAxis);
        layout.SetProperty("yaxis", Axis(yTitle, log: false));
        layout.SetProperty("legend", new Dictionary<string, object>
        {
            ["bgcolor"] = "rgba(255,255,255,0.8)", ["bordercolor"] = "#cccccc", ["borderwidth"] = 1,
        });
        layout.SetProperty("showlegend", true);
        layout.SetProperty("hovermode", "closest");
        layout.SetProperty("plot_bgcolor", "#ffffff");
        layout.SetProperty("margin", new Dictionary<string, object> { ["l"] = 80, ["r"] = 30, ["t"] = 70, ["b"] = 70 });
        return layout;
    }

    private static Trace Scatter(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, string mode, string? legendGroup)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("name", name);
        trace.SetProperty("x", x.ToArray());
        trace.SetProperty("y", y.ToArray());
        trace.SetProperty("mode", mode);
        trace.SetProperty("showlegend", true);
        if (legendGroup is not null) trace.SetProperty("legendgroup", legendGroup);
        return trace;
    }

    private static Dictionary<string, object> ErrorBars(IReadOnlyList<double> stdErr, string color) => new()
    {
        ["type"] = "data", ["array"] = stdErr.ToArray(), ["visible"] = true, ["color"] = color, ["thickness"] = 1.5, ["width"] = 4,
    };

    private static Dictionary<string, object> Axis(string title, bool log)
    {
        var axis = new Dictionary<string, object>
        {
            ["title"] = new Dictionary<string, object> { ["text"] = title },
            ["showgrid"] = true, ["gridcolor"] = "#e5e5e5", ["zeroline"] = false,
            ["showline"] = true, ["linecolor"] = "#444444", ["mirror"] = true, ["ticks"] = "outside",
        };
        if (log) axis["type"] = "log";
        return axis;
    }
}
