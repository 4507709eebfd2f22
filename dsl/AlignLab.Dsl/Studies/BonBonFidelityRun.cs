namespace AlignLab.Dsl;

/// <summary>
/// One trained network of <see cref="BonBonFidelity"/> (an arm at one seed), every value exact by enumeration and
/// prompt-averaged: KL(π‖p), win rate W(π) against the base, E_π[off-target], the excess KL over the best-of-n frontier
/// at its win rate, its distance to the BoN_n point, and the trajectory (step, KL, W), starting at step 0 = the base,
/// when recorded.
/// </summary>
public sealed record BonBonFidelityRun(
    BonBonFidelityArm Arm, long Seed, double Alpha, double Kl, double WinRate, double OffTarget, double ExcessKl, double DistanceToBonN,
    IReadOnlyList<(int Step, double Kl, double WinRate)> Trajectory);
