namespace AlignLab.Dsl;

/// <summary>The alignment methods an <see cref="Experiment"/> can compare (built with <see cref="Methods"/>).</summary>
public enum MethodKind
{
    /// <summary>The base policy itself (no training; KL 0, win rate ½).</summary>
    Base,
    /// <summary>Best-of-n sampling at inference time (no training; exact π_n from the theory module, THEORY.md §1).</summary>
    BestOfN,
    /// <summary>SFT on best-of-n samples of the base (SFT-BoN; the forward part of BOND).</summary>
    SftBon,
    /// <summary>BoNBoN: α·SFT on the best + (1−α)·IPO pinning the best–worst gap to h*_n (THEORY.md §4).</summary>
    BonBon,
    /// <summary>IPO on best/worst-of-n pairs with β = β*_n (BoNBoN with α = 0).</summary>
    IpoBon,
    /// <summary>DPO on best/worst-of-n pairs with a given β.</summary>
    Dpo,
    /// <summary>IPO on best/worst-of-n pairs with a given β.</summary>
    Ipo,
    /// <summary>Variational BoN: KL-regularised RLOO on log F̂(r), coefficient 1/(n−1) (THEORY.md §5).</summary>
    Vbon,
    /// <summary>BOND: Jeffreys-divergence distillation of BoN_n of the fixed base (THEORY.md §6).</summary>
    Bond,
    /// <summary>J-BOND: BOND against a moving (EMA) anchor, approaching BoN_{nᵗ} (THEORY.md §6).</summary>
    JBond,
    /// <summary>KL-regularised RLHF: maximise E_π[r] − β·KL(π‖p) with RLOO (THEORY.md §3).</summary>
    Rlhf,
}
