namespace AlignLab.Theory;

/// <summary>A one-parameter family of tiltings whose (KL, win rate) curve is a frontier (THEORY.md §3).</summary>
public enum FrontierFamily
{
    /// <summary>Best-of-n, parameter n ≥ 1.</summary>
    BestOfN,

    /// <summary>The win-rate-optimal tilt p·exp(c·s), parameter c ≥ 0.</summary>
    Optimal,

    /// <summary>The RLHF / DPO tilt p·exp(r/β), parameter β &gt; 0.</summary>
    Rlhf,
}
