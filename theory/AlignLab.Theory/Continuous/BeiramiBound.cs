namespace AlignLab.Theory;

/// <summary>
/// The exact KL and win rate of best-of-n on a finite distribution beside their continuous-case values, which are upper
/// bounds (Beirami et al. 2024; THEORY.md §2). With ties or heavy atoms the exact values are strictly smaller.
/// </summary>
/// <param name="N">n.</param>
/// <param name="ExactKl">KL(π_n‖p), computed exactly.</param>
/// <param name="KlBound">log n − (n − 1)/n.</param>
/// <param name="ExactWinRate">W(π_n), computed exactly.</param>
/// <param name="WinRateBound">n/(n + 1).</param>
public sealed record BeiramiBound(double N, double ExactKl, double KlBound, double ExactWinRate, double WinRateBound)
{
    /// <summary>KlBound − ExactKl, never negative.</summary>
    public double KlSlack => KlBound - ExactKl;
}
