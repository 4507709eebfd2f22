namespace AlignLab.Dsl.Plots;

/// <summary>
/// An analytic frontier drawn as a line: KL(π‖p) on x against <paramref name="Value"/> (win rate or expected reward)
/// on y, e.g. the BoN frontier (KL = log n − (n−1)/n, W = n/(n+1) in the continuous case, THEORY.md §2) or the optimal
/// frontier (THEORY.md §3). Points are drawn in the order given.
/// </summary>
/// <param name="Name">Legend entry, e.g. "BoN (analytic)".</param>
/// <param name="Kl">KL divergence to the base policy, in nats, one per point.</param>
/// <param name="Value">Win rate against the base or expected reward, one per point.</param>
public sealed record FrontierCurve(string Name, IReadOnlyList<double> Kl, IReadOnlyList<double> Value);
