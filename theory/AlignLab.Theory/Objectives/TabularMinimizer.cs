using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace AlignLab.Theory.Objectives;

/// <summary>
/// Finds the infinite-data optimum of a <see cref="ITabularObjective"/> with MathNet's limited-memory BFGS. The logits
/// are defined up to a shift (softmax invariance), so the result is reported with Σθ = 0.
/// </summary>
public static class TabularMinimizer
{
    /// <summary>
    /// Minimises <paramref name="objective"/> from <paramref name="initialLogits"/> (zeros, the uniform policy, when null)
    /// until every gradient entry is below <paramref name="gradientTolerance"/> in absolute value (MathNet's criterion).
    /// <paramref name="scales"/> (positive, one per logit) precondition the search: it runs over z with
    /// θ = θ₀ + z / s. The expected losses weight an outcome's logit by its probability, so their curvature in θ_i scales
    /// like p(i) and spans many orders of magnitude on large supports; s = √p (see <see cref="BaseScales"/>) evens it out.
    /// On the toy task's 7,776 responses that turns thousands of L-BFGS iterations into about 60.
    /// </summary>
    public static TabularOptimum Minimize(ITabularObjective objective, IReadOnlyList<double>? initialLogits = null, double gradientTolerance = 1e-10,
        IReadOnlyList<double>? scales = null)
    {
        ArgumentChecks.NotNull(objective, nameof(objective));
        ArgumentChecks.Positive(gradientTolerance, nameof(gradientTolerance));
        var start = initialLogits?.ToArray() ?? new double[objective.Dimension];
        TabularLogits.CheckLogits(start, objective.Dimension);
        var s = scales?.ToArray() ?? Enumerable.Repeat(1.0, objective.Dimension).ToArray();
        if (s.Length != objective.Dimension)
            throw new ArgumentException($"scales has {s.Length} entries but the objective has {objective.Dimension}.", nameof(scales));
        for (var i = 0; i < s.Length; i++)
            if (!(s[i] > 0) || double.IsInfinity(s[i])) throw new ArgumentException($"scales[{i}] must be > 0 and finite (got {s[i]}).", nameof(scales));
        double[] Logits(Vector<double> z) => z.Select((zi, i) => start[i] + zi / s[i]).ToArray();
        var function = ObjectiveFunction.Gradient(
            z => objective.Value(Logits(z)),
            z => Vector<double>.Build.DenseOfArray(objective.Gradient(Logits(z)).Select((g, i) => g / s[i]).ToArray()));
        // The search sees the gradient in z, g/s; |g_i/s_i| < tol / max s for every i guarantees |g_i| < tol in θ.
        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance / s.Max(), 1e-15, 1e-15, memory: 20, maximumIterations: 10_000);
        var result = minimizer.FindMinimum(function, Vector<double>.Build.Dense(start.Length));
        return Optimum(objective, Logits(result.MinimizingPoint), result.Iterations);
    }

    /// <summary>Preconditioning scales √p(i) from base probabilities (1 where p(i) = 0) for <see cref="Minimize"/>.</summary>
    public static double[] BaseScales(IEnumerable<double> probabilities)
    {
        ArgumentChecks.NotNull(probabilities, nameof(probabilities));
        return probabilities.Select(p => p > 0 ? Math.Sqrt(p) : 1.0).ToArray();
    }

    /// <summary>Describes logits as a <see cref="TabularOptimum"/> of <paramref name="objective"/> (centred, with value and gradient norm).</summary>
    public static TabularOptimum Optimum(ITabularObjective objective, IReadOnlyList<double> logits, int iterations)
    {
        ArgumentChecks.NotNull(objective, nameof(objective));
        TabularLogits.CheckLogits(logits, objective.Dimension);
        var mean = logits.Average();
        var centred = logits.Select(t => t - mean).ToArray();
        var gradient = objective.Gradient(centred);
        // A prompt set's probabilities are the per-prompt softmaxes, concatenated like the logits.
        var probabilities = objective is PromptSetObjective set
            ? Enumerable.Range(0, set.PromptCount).SelectMany(x => Softmax.Probabilities(set.Slice(centred, x))).ToArray()
            : Softmax.Probabilities(centred);
        return new TabularOptimum(centred, probabilities, objective.Value(centred), Math.Sqrt(gradient.Sum(g => g * g)), iterations);
    }
}
