using AlignLab.Theory;

namespace AlignLab.Dsl;

/// <summary>
/// Prompt-averaged exact frontiers: every prompt's tilt at one common parameter θ, its (KL, W, E[r]) averaged with the
/// prompt weights. A common θ is what the averaged objective's optimum uses (e.g. max W − KL/c is separable over
/// prompts), so the averaged curve is the frontier of the whole prompt set.
/// </summary>
internal static class ExactFrontier
{
    public static IReadOnlyList<FrontierPoint> Averaged(PromptSet prompts, FrontierFamily family, IReadOnlyList<double> parameters)
    {
        var kl = new double[parameters.Count];
        var win = new double[parameters.Count];
        var reward = new double[parameters.Count];
        for (int k = 0; k < prompts.Count; k++)
        {
            var points = Frontiers.Compute(prompts.Prompts[k], family, parameters);
            double w = prompts.Weights[k];
            for (int i = 0; i < points.Count; i++)
            {
                kl[i] += w * points[i].Kl;
                win[i] += w * points[i].WinRate;
                reward[i] += w * points[i].ExpectedReward;
            }
        }
        return [.. parameters.Select((p, i) => new FrontierPoint(family, p, kl[i], win[i], reward[i]))];
    }

    /// <summary>Parameters that sweep the family from the base outwards, geometrically (n to 4096, c and 1/β to ~10³).</summary>
    public static IReadOnlyList<double> Grid(FrontierFamily family) => family switch
    {
        FrontierFamily.BestOfN => [.. Enumerable.Range(0, 73).Select(j => Math.Pow(2, j / 6.0))],
        FrontierFamily.Optimal => [0.0, .. Enumerable.Range(0, 56).Select(j => 0.05 * Math.Pow(1.2, j))],
        _ => [.. Enumerable.Range(0, 61).Select(j => 1 / (0.02 * Math.Pow(1.2, j)))],
    };

    /// <summary>Linear interpolation of y at x on a curve with increasing xs; NaN outside [xs[0], xs[^1]].</summary>
    public static double Interpolate(IReadOnlyList<double> xs, IReadOnlyList<double> ys, double x)
    {
        if (xs.Count == 0 || !(x >= xs[0] && x <= xs[^1])) return double.NaN;
        for (int i = 1; i < xs.Count; i++)
        {
            if (x > xs[i]) continue;
            double span = xs[i] - xs[i - 1];
            return span <= 0 ? ys[i] : ys[i - 1] + (ys[i] - ys[i - 1]) * (x - xs[i - 1]) / span;
        }
        return ys[0];
    }
}
