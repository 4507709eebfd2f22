using AlignLab.Dsl.Plots;

namespace AlignLab.Dsl.Tests.Plots;

/// <summary>Small charts built from the closed-form BoN frontier (THEORY.md §2), shared by the chart tests.</summary>
internal static class ChartSamples
{
    public static readonly int[] Ns = [1, 2, 4, 8, 16, 32, 64];

    /// <summary>Continuous-case BoN frontier: KL = log n − (n−1)/n, W = n/(n+1) (THEORY.md §2).</summary>
    public static FrontierCurve BonFrontier() => new("BoN (analytic)",
        Ns.Select(n => Math.Log(n) - (n - 1.0) / n).ToArray(),
        Ns.Select(n => n / (n + 1.0)).ToArray());

    public static PlotlyChart Frontier() => FrontierChart.Create(FrontierMetric.WinRate,
        [BonFrontier(), new FrontierCurve("second curve", [0.0, 1.0, 2.0, 3.0], [0.5, 0.7, 0.8, 0.9])],
        [
            new ResultPoint("BoNBoN", 0.60, 0.03, 0.74, 0.012, "n=4"),
            new ResultPoint("BoNBoN", 1.30, 0.05, 0.86, 0.010, "n=8"),
            new ResultPoint("DPO", 0.90, 0.04, 0.70, 0.015, "β=0.1"),
        ],
        title: "BoN frontier vs trained");

    public static PlotlyChart Training() => TrainingCurveChart.Create("loss",
    [
        new TrainingCurve("BoNBoN", [0, 10, 20, 30], [1.0, 0.6, 0.45, 0.4]),
        new TrainingCurve("DPO", [0, 10, 20, 30], [1.0, 0.7, 0.55, 0.5], [0.05, 0.04, 0.04, 0.03]),
    ]);

    public static PlotlyChart Overoptimisation() => OveroptimisationChart.Create(OveroptimisationAxis.N,
    [
        new OveroptimisationCurve("BoN", [1, 4, 16, 64], [0.0, 0.5, 0.6, 0.4], [0.0, 0.9, 1.5, 2.0]),
        new OveroptimisationCurve("BoN + Laplace penalty", [1, 4, 16, 64], [0.0, 0.45, 0.6, 0.62], [0.0, 0.7, 1.0, 1.1],
            GoldStdErr: [0.02, 0.02, 0.03, 0.03]),
    ]);
}
