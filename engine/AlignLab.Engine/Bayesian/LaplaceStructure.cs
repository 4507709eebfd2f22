namespace AlignLab.Engine.Bayesian;

/// <summary>How a <see cref="LaplaceRewardModel"/> approximates the generalised Gauss–Newton matrix (THEORY.md §7).</summary>
public enum LaplaceStructure
{
    /// <summary>The exact diagonal of the GGN (<see cref="DiagonalGgn"/>).</summary>
    Diagonal,

    /// <summary>One Kronecker product per weight matrix, blocks independent (<see cref="KroneckerGgn"/>).</summary>
    Kfac,
}
