using Plotly.NET;

namespace AlignLab.Dsl.Plots;

/// <summary>
/// Reward over-optimisation chart: for each method, the gold reward (solid line) and the proxy reward (dashed line,
/// same colour) against n or KL. Two traces per curve, gold first.
/// </summary>
public static class OveroptimisationChart
{
    private const int MaxLabelledN = 16;

    /// <summary>Builds the chart.</summary>
    /// <param name="axis">What x is: n (log axis; values must be &gt; 0) or KL.</param>
    /// <param name="curves">One curve per method (at least one).</param>
    /// <param name="title">Chart title; default "Reward over-optimisation".</param>
    public static PlotlyChart Create(OveroptimisationAxis axis, IReadOnlyList<OveroptimisationCurve> curves, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(curves);
        if (curves.Count == 0) throw new ArgumentException("curves is empty: an over-optimisation chart needs at least one curve.", nameof(curves));
        if (axis is not (OveroptimisationAxis.N or OveroptimisationAxis.Kl))
            throw new ArgumentException($"axis = {axis} is not an OveroptimisationAxis.", nameof(axis));

        var traces = new List<Trace>();
        for (var c = 0; c < curves.Count; c++)
        {
            var curve = curves[c] ?? throw new ArgumentException($"curves[{c}] is null.", nameof(curves));
            ChartInput.RequireName(nameof(curves), c, curve.Name);
            ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.X), curve.X, curve.X?.Count ?? 0);
            var count = curve.X!.Count;
            ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.GoldReward), curve.GoldReward, count);
            ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.ProxyReward), curve.ProxyReward, count);
            if (curve.GoldStdErr is not null)
            {
                ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.GoldStdErr), curve.GoldStdErr, count);
                ChartInput.RequireStdErrs(nameof(curves), c, curve.Name, nameof(curve.GoldStdErr), curve.GoldStdErr);
            }
            if (curve.ProxyStdErr is not null)
            {
                ChartInput.RequireSeries(nameof(curves), c, curve.Name, nameof(curve.ProxyStdErr), curve.ProxyStdErr, count);
                ChartInput.RequireStdErrs(nameof(curves), c, curve.Name, nameof(curve.ProxyStdErr), curve.ProxyStdErr);
            }
            if (axis == OveroptimisationAxis.N)
                for (var i = 0; i < count; i++)
                    if (curve.X[i] <= 0)
                        throw new ArgumentException($"curves[{c}] ('{curve.Name}'): X[{i}] = {curve.X[i]} must be > 0 for the log n axis.", nameof(curves));

            var color = PlotlyTraces.Color(c);
            traces.Add(PlotlyTraces.Line($"{curve.Name}: gold reward", curve.X, curve.GoldReward, color, "solid", curve.Name, curve.GoldStdErr));
            traces.Add(PlotlyTraces.Line($"{curve.Name}: proxy reward", curve.X, curve.ProxyReward, color, "dash", curve.Name, curve.ProxyStdErr));
        }

        var chartTitle = title ?? "Reward over-optimisation";
        var xTitle = axis == OveroptimisationAxis.N ? "n (samples per prompt)" : FrontierChart.KlAxisTitle;
        // On the log n axis, label exactly the n values used (1, 2, 4, …) instead of plotly's cluttered minor log ticks.
        var nTicks = curves.SelectMany(c => c.X).Distinct().Order().ToArray();
        var xTicks = axis == OveroptimisationAxis.N && nTicks.Length <= MaxLabelledN ? nTicks : null;
        return new PlotlyChart(chartTitle, traces,
            PlotlyTraces.Layout(chartTitle, xTitle, "expected reward", logX: axis == OveroptimisationAxis.N, xTicks));
    }
}
