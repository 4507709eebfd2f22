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
    /// until the gradient norm is below <paramref name="gradientTolerance"/>.
    /// </summary>
    public static TabularOptimum Minimize(ITabularObjective objective, IReadOnlyList<double>? initialLogits = null, double gradientTolerance = 1e-10)
    {
        ArgumentChecks.NotNull(objective, nameof(objective));
        ArgumentChecks.Positive(gradientTolerance, nameof(gradientTolerance));
        var start = initialLogits?.ToArray() ?? new double[objective.Dimension];
        Softmax.CheckLogits(start, objective.Dimension);
        var function = ObjectiveFunction.Gradient(
            v => objective.Value(v.ToArray()),
            v => Vector<double>.Build.DenseOfArray(objective.Gradient(v.ToArray())));
        var minimizer = new LimitedMemoryBfgsMinimizer(gradientTolerance, 1e-15, 1e-15, memory: 20, maximumIterations: 10_000);
        var result = minimizer.FindMinimum(function, Vector<double>.Build.DenseOfArray(start));
        return Optimum(objective, result.MinimizingPoint.ToArray(), result.Iterations);
    }

    /// <summary>Describes logits as a <see cref="TabularOptimum"/> of <paramref name="objective"/> (centred, with value and gradient norm).</summary>
    public static TabularOptimum Optimum(ITabularObjective objective, IReadOnlyList<double> logits, int iterations)
    {
        ArgumentChecks.NotNull(objective, nameof(objective));
        Softmax.CheckLogits(logits, objective.Dimension);
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
