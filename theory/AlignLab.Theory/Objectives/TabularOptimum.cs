namespace AlignLab.Theory.Objectives;

/// <summary>
/// Where a tabular objective is minimised: the optimal <see cref="Logits"/> (shifted to sum to 0), the policy
/// <see cref="Probabilities"/> = softmax(logits), the objective's <see cref="Value"/> and gradient norm there, and the
/// minimiser's iteration count.
/// </summary>
public sealed record TabularOptimum(IReadOnlyList<double> Logits, IReadOnlyList<double> Probabilities, double Value, double GradientNorm, int Iterations);
