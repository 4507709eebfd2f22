namespace AlignLab.Engine.Estimation;

/// <summary>
/// Exact evaluation of a policy on an enumerable task, averaged uniformly over prompts: <see cref="WinRate"/> W(π)
/// against the base under the gold reward (ties half), <see cref="Kl"/> KL(π‖base), <see cref="ExpectedReward"/>
/// E_π[r], and <see cref="ExpectedOffTarget"/> E_π[attribute] (NaN when no attribute was asked for).
/// </summary>
public sealed record ExactMetrics(double WinRate, double Kl, double ExpectedReward, double ExpectedOffTarget);
