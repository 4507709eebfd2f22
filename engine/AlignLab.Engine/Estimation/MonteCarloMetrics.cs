namespace AlignLab.Engine.Estimation;

/// <summary>
/// A Monte-Carlo evaluation of a policy π against the reference p under a reward r (<see cref="MonteCarloEvaluation"/>),
/// each figure an <see cref="Estimate"/> with its standard error, averaged uniformly over the prompts.
/// </summary>
/// <param name="WinRate">W(π) = P(r(y) &gt; r(y')) + ½·P(r(y) = r(y')), y ~ π, y' ~ p (ties count half).</param>
/// <param name="Kl">KL(π‖p) = E_{y~π}[log π(y|x) − log p(y|x)] (for best-of-n: the estimated log π_n(y)/p(y)).</param>
/// <param name="ExpectedReward">E_{y~π}[r(x, y)].</param>
/// <param name="Length">E_{y~π}[|y|], tokens up to and including the end token: the off-target attribute.</param>
/// <param name="KlBound">For best-of-n of the reference, the exact bound KL(π_n‖p) ≤ log n − (n−1)/n; NaN otherwise.</param>
public sealed record MonteCarloMetrics(Estimate WinRate, Estimate Kl, Estimate ExpectedReward, Estimate Length, double KlBound = double.NaN);
