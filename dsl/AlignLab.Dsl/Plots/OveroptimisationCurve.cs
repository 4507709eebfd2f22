namespace AlignLab.Dsl.Plots;

/// <summary>
/// Reward over-optimisation of one selection or training method: the gold (true) reward and the proxy reward that
/// was optimised, against n or KL. The proxy keeps rising while the gold reward peaks and falls (Goodhart);
/// a penalised proxy (e.g. the Laplace reward model's lower bound, THEORY.md) should flatten the gap.
/// </summary>
/// <param name="Name">Legend entry, e.g. "BoN" or "BoN + Laplace penalty".</param>
/// <param name="X">n (number of samples) or KL to the base, one per point.</param>
/// <param name="GoldReward">Expected gold reward at each x.</param>
/// <param name="ProxyReward">Expected proxy reward at each x.</param>
/// <param name="GoldStdErr">Optional standard errors of <paramref name="GoldReward"/>.</param>
/// <param name="ProxyStdErr">Optional standard errors of <paramref name="ProxyReward"/>.</param>
public sealed record OveroptimisationCurve(string Name, IReadOnlyList<double> X, IReadOnlyList<double> GoldReward,
    IReadOnlyList<double> ProxyReward, IReadOnlyList<double>? GoldStdErr = null, IReadOnlyList<double>? ProxyStdErr = null);
