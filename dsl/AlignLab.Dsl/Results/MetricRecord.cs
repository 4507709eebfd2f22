namespace AlignLab.Dsl.Results;

/// <summary>One line of a run's <c>metrics.jsonl</c>: named metric values at an optimisation step.</summary>
/// <param name="Step">The step (or any monotone counter: epoch, n, iteration).</param>
/// <param name="Values">Metric name → value, e.g. "loss", "kl", "win_rate".</param>
public sealed record MetricRecord(long Step, IReadOnlyDictionary<string, double> Values);
