namespace AlignLab.Dsl.Plots;

/// <summary>One run's training metric (loss, win rate, KL, …) against the optimisation step.</summary>
/// <param name="Run">Legend entry: the run or method name.</param>
/// <param name="Step">Optimisation steps, one per value.</param>
/// <param name="Value">The metric at each step.</param>
/// <param name="StdErr">Optional standard error of each value, drawn as error bars.</param>
public sealed record TrainingCurve(string Run, IReadOnlyList<double> Step, IReadOnlyList<double> Value, IReadOnlyList<double>? StdErr = null);
