using Plotly.NET;

namespace AlignLab.Dsl.Plots;

/// <summary>Training curves: one metric against the step for several runs, one line (and legend entry) per run.</summary>
public static class TrainingCurveChart
{
    /// <summary>Builds the chart; trace order is the order of <paramref name="curves"/>.</summary>
    /// <param name="metric">The metric's name, used as the y-axis title (e.g. "loss").</param>
    /// <param name="curves">One curve per run (at least one).</param>
    /// <param name="title">Chart title; default "<paramref name="metric"/> during training".</param>
    public static PlotlyChart Create(string metric, IReadOnlyList<TrainingCurve> curves, string? title = null)
    {
        if (string.IsNullOrWhiteSpace(metric)) throw new ArgumentException("metric must name the plotted metric.", nameof(metric));
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) throw new ArgumentException("curves is empty: a training-curve chart needs at least one run.", nameof(curves));

        var traces = new List<Trace>();
        for (var c = 0; c < curves.Count; c++)
        {
            var curve = curves[c] ?? throw new ArgumentException($"curves[{c}] is null.", nameof(curves));
            ChartInput.RequireName(nameof(curves), c, curve.Run);
            ChartInput.RequireSeries(nameof(curves), c, curve.Run, nameof(curve.Step), curve.Step, curve.Step?.Count ?? 0);
            ChartInput.RequireSeries(nameof(curves), c, curve.Run, nameof(curve.Value), curve.Value, curve.Step!.Count);
            if (curve.StdErr is not null)
            {
                ChartInput.RequireSeries(nameof(curves), c, curve.Run, nameof(curve.StdErr), curve.StdErr, curve.Step.Count);
                ChartInput.RequireStdErrs(nameof(curves), c, curve.Run, nameof(curve.StdErr), curve.StdErr);
            }
            traces.Add(PlotlyTraces.Line(curve.Run, curve.Step, curve.Value, PlotlyTraces.Color(c), yStdErr: curve.StdErr));
        }

        var chartTitle = title ?? $"{metric} during training";
        return new PlotlyChart(chartTitle, traces, PlotlyTraces.Layout(chartTitle, "step", metric));
    }
}
