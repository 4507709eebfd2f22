using AlignLab.Theory.Objectives;

namespace AlignLab.Theory.Tests.Objectives;

/// <summary>The fixed distributions and numerical checks shared by the objective tests.</summary>
internal static class ObjectiveFixtures
{
    /// <summary>K = 6 outcomes with two tied reward levels (1 and 3).</summary>
    public static RewardDistribution Tied() => new([0.1, 0.2, 0.15, 0.25, 0.2, 0.1], [0.0, 1.0, 1.0, 2.0, 3.0, 3.0]);

    /// <summary>K = 5 outcomes with distinct rewards.</summary>
    public static RewardDistribution Distinct() => new([0.3, 0.25, 0.2, 0.15, 0.1], [0.4, -1.0, 2.5, 0.0, 1.2]);

    /// <summary>A fixed, non-special point at which gradients are checked.</summary>
    public static double[] Logits(int k) => Enumerable.Range(0, k).Select(i => 0.3 * Math.Sin(1.7 * i + 0.4) - 0.1 * i).ToArray();

    /// <summary>
    /// Asserts the analytic gradient equals central finite differences. Step 1e-5 gives O(h²) ≈ 1e-10 truncation and
    /// O(ε/h) ≈ 1e-11 rounding error for these O(1) objectives, so 1e-7 absolute is a safe margin.
    /// </summary>
    public static void AssertGradientMatchesFiniteDifferences(ITabularObjective objective, double[] logits)
    {
        var analytic = objective.Gradient(logits);
        const double h = 1e-5;
        for (var k = 0; k < logits.Length; k++)
        {
            var plus = (double[])logits.Clone();
            var minus = (double[])logits.Clone();
            plus[k] += h;
            minus[k] -= h;
            var numeric = (objective.Value(plus) - objective.Value(minus)) / (2 * h);
            Assert.True(Math.Abs(analytic[k] - numeric) < 1e-7, $"{objective.Name}: d/dθ_{k} analytic {analytic[k]} vs numeric {numeric}");
        }
    }

    /// <summary>
    /// Plain gradient descent with a fixed step, an optimiser independent of L-BFGS, used to cross-check optima.
    /// Returns the logits centred to sum 0.
    /// </summary>
    public static double[] GradientDescent(ITabularObjective objective, double[] start, double step, int iterations)
    {
        var theta = (double[])start.Clone();
        for (var t = 0; t < iterations; t++)
        {
            var g = objective.Gradient(theta);
            for (var k = 0; k < theta.Length; k++) theta[k] -= step * g[k];
        }
        var mean = theta.Average();
        return theta.Select(v => v - mean).ToArray();
    }

    /// <summary>
    /// MathNet's nonlinear conjugate-gradient minimiser, a second optimiser independent of L-BFGS that (unlike fixed-step
    /// descent) reaches optima far out in logit space, as the logistic BoNBoN forms have. Returns the logits centred.
    /// </summary>
    public static double[] ConjugateGradient(ITabularObjective objective, double[] start, double gradientTolerance = 1e-10)
    {
        var function = MathNet.Numerics.Optimization.ObjectiveFunction.Gradient(
            z => objective.Value(z.ToArray()),
            z => MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(objective.Gradient(z.ToArray())));
        var result = new MathNet.Numerics.Optimization.ConjugateGradientMinimizer(gradientTolerance, 100_000)
            .FindMinimum(function, MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(start));
        var theta = result.MinimizingPoint.ToArray();
        var mean = theta.Average();
        return theta.Select(v => v - mean).ToArray();
    }

    public static double[] Log(IReadOnlyList<double> p) => p.Select(v => Math.Log(v)).ToArray();

    public static double MaxAbsDiff(IReadOnlyList<double> a, IReadOnlyList<double> b) => a.Select((v, i) => Math.Abs(v - b[i])).Max();
}
