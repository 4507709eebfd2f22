using Plotly.NET;

namespace AlignLab.Dsl.Plots;

/// <summary>
/// The alignment frontier chart: KL(π‖p) to the base on x, win rate or expected reward on y (THEORY.md §2–§3).
/// Analytic frontiers (BoN, optimal, RLHF) are lines; training trajectories (optional) dotted paths; trained or sampled
/// results are points with ±1 standard-error bars on both axes, one legend entry per distinct <see cref="ResultPoint.Name"/>.
/// </summary>
public static class FrontierChart
{
    /// <summary>Default x-axis title.</summary>
    public const string KlAxisTitle = "KL(π ‖ base)  [nats]";

    /// <summary>
    /// Builds a frontier chart. Trace order: the curves in the order given, then the paths, then one trace per point name
    /// in order of first appearance.
    /// </summary>
    /// <param name="metric">What y shows; sets the y-axis title and the default chart title.</param>
    /// <param name="curves">Analytic frontiers, drawn as lines (may be empty).</param>
    /// <param name="points">Trained or sampled results (null or empty for a chart of curves only).</param>
    /// <param name="title">Chart title; default "Win rate vs KL" or "Expected reward vs KL".</param>
    /// <param name="paths">Trajectories (e.g. a training run's (KL, W) every k steps), drawn as dotted lines with markers.</param>
    public static PlotlyChart Create(FrontierMetric metric, IReadOnlyList<FrontierCurve> curves,
        IReadOnlyList<ResultPoint>? points = null, string? title = null, IReadOnlyList<FrontierCurve>? paths = null)
    {
        ArgumentNullException.ThrowIfNull(curves);
        points ??= [];
        paths ??= [];
        if (curves.Count + points.Count + paths.Count == 0)
            throw new ArgumentException("curves, points and paths are all empty: a frontier chart needs at least one curve, point or path.", nameof(curves));

        var traces = new List<Trace>();
        for (var c = 0; c < curves.Count; c++)
        {
            var curve = curves[c] ?? throw new ArgumentException($"curves[{c}] is null.", nameof(curves));
            ChartInput.RequireName(nameof(curves), c, curve.Name);
            ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.Kl), curve.Kl, curve.Kl?.Count ?? 0);
            ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.Value), curve.Value, curve.Kl!.Count);
            if (curve.Kl.Count == 0) throw new ArgumentException($"curves[{c}] ('{curve.Name}') has no points.", nameof(curves));
            traces.Add(PlotlyTraces.Line(curve.Name, curve.Kl, curve.Value, PlotlyTraces.Color(c)));
        }

        for (var t = 0; t < paths.Count; t++)
        {
            var path = paths[t] ?? throw new ArgumentException($"paths[{t}] is null.", nameof(paths));
            ChartInput.RequireName(nameof(paths), t, path.Name);
            ChartInput.RequireSeries(nameof(paths), t, path.Name, nameof(path.Kl), path.Kl, path.Kl?.Count ?? 0);
            ChartInput.RequireSeries(nameof(paths), t, path.Name, nameof(path.Value), path.Value, path.Kl!.Count);
            traces.Add(PlotlyTraces.Line(path.Name, path.Kl, path.Value, PlotlyTraces.Color(curves.Count + t), dash: "dot"));
        }

        for (var p = 0; p < points.Count; p++)
        {
            var point = points[p] ?? throw new ArgumentException($"points[{p}] is null.", nameof(points));
            ChartInput.RequireName(nameof(points), p, point.Name);
            ChartInput.RequireFinite(nameof(points), p, point.Name, nameof(point.Kl), point.Kl, nonNegative: false);
            ChartInput.RequireFinite(nameof(points), p, point.Name, nameof(point.KlStdErr), point.KlStdErr, nonNegative: true);
            ChartInput.RequireFinite(nameof(points), p, point.Name, nameof(point.Value), point.Value, nonNegative: false);
            ChartInput.RequireFinite(nameof(points), p, point.Name, nameof(point.ValueStdErr), point.ValueStdErr, nonNegative: true);
        }

        var groups = points.GroupBy(p => p.Name).ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g].ToList();
            traces.Add(PlotlyTraces.Markers(groups[g].Key,
                group.Select(p => p.Kl).ToArray(), group.Select(p => p.Value).ToArray(), PlotlyTraces.Color(curves.Count + paths.Count + g),
                PlotlyTraces.Symbol(g), group.Select(p => p.KlStdErr).ToArray(), group.Select(p => p.ValueStdErr).ToArray(),
                group.Select(p => p.Label).ToArray()));
        }

        var yTitle = metric switch
        {
            FrontierMetric.WinRate => "win rate against base",
            FrontierMetric.ExpectedReward => "expected reward",
            _ => throw new ArgumentException($"metric = {metric} is not a FrontierMetric.", nameof(metric)),
        };
        var chartTitle = title ?? (metric == FrontierMetric.WinRate ? "Win rate vs KL" : "Expected reward vs KL");
        return new PlotlyChart(chartTitle, traces, PlotlyTraces.Layout(chartTitle, KlAxisTitle, yTitle));
    }
}
