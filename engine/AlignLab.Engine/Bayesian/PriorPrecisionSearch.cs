namespace AlignLab.Engine.Bayesian;

/// <summary>
/// Chooses the prior precision λ of a Laplace approximation by maximising its log marginal likelihood (THEORY.md §7):
/// a log-spaced grid over [min, max], then golden-section search in log λ between the best grid point's neighbours.
/// </summary>
public static class PriorPrecisionSearch
{
    private const int GoldenSectionSteps = 80;

    /// <summary>
    /// The λ in [<paramref name="min"/>, <paramref name="max"/>] maximising <paramref name="objective"/>, searched on a
    /// grid of <paramref name="gridPoints"/> log-spaced values and refined by golden section (assumes the objective is
    /// unimodal near the best grid point; the result is never worse than the best grid point).
    /// </summary>
    public static double Maximise(Func<double, double> objective, double min, double max, int gridPoints)
    {
        ArgumentNullException.ThrowIfNull(objective);
        if (!(min > 0) || double.IsInfinity(min)) throw new ArgumentException($"min must be > 0 and finite (got {min}).", nameof(min));
        if (!(max > min) || double.IsInfinity(max)) throw new ArgumentException($"max must be finite and exceed min {min} (got {max}).", nameof(max));
        if (gridPoints < 3) throw new ArgumentException($"gridPoints must be >= 3 (got {gridPoints}).", nameof(gridPoints));

        double logMin = Math.Log(min), step = (Math.Log(max) - logMin) / (gridPoints - 1);
        double F(double logLambda) => objective(Math.Exp(logLambda));
        var grid = Enumerable.Range(0, gridPoints).Select(i => logMin + i * step).ToArray();
        var values = grid.Select(F).ToArray();
        int best = 0;
        for (int i = 1; i < gridPoints; i++)
            if (values[i] > values[best]) best = i;

        double lo = grid[Math.Max(0, best - 1)], hi = grid[Math.Min(gridPoints - 1, best + 1)];
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double x1 = hi - ratio * (hi - lo), x2 = lo + ratio * (hi - lo);
        double f1 = F(x1), f2 = F(x2);
        for (int i = 0; i < GoldenSectionSteps; i++)
        {
            if (f1 >= f2)
            {
                hi = x2; x2 = x1; f2 = f1;
                x1 = hi - ratio * (hi - lo); f1 = F(x1);
            }
            else
            {
                lo = x1; x1 = x2; f1 = f2;
                x2 = lo + ratio * (hi - lo); f2 = F(x2);
            }
        }
        var (refined, refinedValue) = f1 >= f2 ? (x1, f1) : (x2, f2);
        return Math.Exp(refinedValue >= values[best] ? refined : grid[best]);
    }
}
