namespace AlignLab.Theory;

/// <summary>One point of a frontier: a family member and its exact KL(π‖p), W(π) and E_π[r].</summary>
/// <param name="Family">The family.</param>
/// <param name="Parameter">n for best-of-n, c for the optimal tilt, β for RLHF.</param>
/// <param name="Kl">KL(π‖p).</param>
/// <param name="WinRate">W(π) against the base, ties half.</param>
/// <param name="ExpectedReward">E_π[r].</param>
public sealed record FrontierPoint(FrontierFamily Family, double Parameter, double Kl, double WinRate, double ExpectedReward);
