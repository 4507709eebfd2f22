namespace AlignLab.Theory;

/// <summary>
/// Best-of-n against the win-rate-optimal tilt at the same KL (BoNBoN §3; THEORY.md §3 table): how much win rate BoN
/// leaves on the table.
/// </summary>
/// <param name="N">n.</param>
/// <param name="Kl">KL(π_n‖p), the KL budget both policies spend.</param>
/// <param name="BonWinRate">W(π_n).</param>
/// <param name="OptimalTilt">The c with KL(π*_c‖p) = Kl.</param>
/// <param name="OptimalWinRate">W(π*_c).</param>
/// <param name="Gap">OptimalWinRate − BonWinRate (≥ 0 by the theorem).</param>
public sealed record BonOptimalComparison(
    double N, double Kl, double BonWinRate, double OptimalTilt, double OptimalWinRate, double Gap);
