using AlignLab.Engine.Methods;
using AlignLab.Theory.Objectives;

namespace AlignLab.Dsl;

/// <summary>
/// The methods an <see cref="Experiment"/> compares. Trained methods start from the task's base model and use the
/// gold reward; pair methods (BoNBoN, IPO-BoN, DPO, IPO) draw fresh best/worst-of-n pairs of the base every step from
/// the experiment's seed, so at equal n and seed they see the same pairs.
/// </summary>
public static class Methods
{
    /// <summary>The base policy itself, untrained (the point KL = 0, W = ½).</summary>
    public static MethodSpec Base() => new(MethodKind.Base);

    /// <summary>Best-of-<paramref name="n"/> sampling of the base: no training, its exact π_n from the theory module (THEORY.md §1).</summary>
    public static MethodSpec BestOfN(int n = 8) => new(MethodKind.BestOfN, N: n);

    /// <summary>SFT on the best of <paramref name="n"/> base samples per prompt (SFT-BoN).</summary>
    public static MethodSpec SftBon(int n = 8) => new(MethodKind.SftBon, N: n);

    /// <summary>
    /// BoNBoN (THEORY.md §4) on best/worst of <paramref name="n"/> base samples: L = α·(−s(y_best)) + (1−α)·D(h_θ) in the
    /// loss form <paramref name="variant"/> (<see cref="BonBonVariant"/>: the paper's squared D(h) = (h − h*_n)², or the
    /// authors' code's logistic D(h) = −log σ(β*_n h); sequence log-probs s summed or length-averaged),
    /// <paramref name="alpha"/> ∈ [0, 1] or null for the authors' rule (the two terms equal at the reference, from the
    /// first batch). The defaults, the logistic length-averaged form at the rule's α, are the best faithful setting
    /// scripts/bonbon_fidelity.csx found: the one nearest the BoN_n point, with a smaller excess KL over the best-of-n
    /// frontier than DPO and IPO on the same pairs (docs/scripts.md, "bonbon_fidelity").
    /// </summary>
    public static MethodSpec BonBon(int n = 8, double? alpha = null, BonBonVariant variant = BonBonConfig.DefaultVariant) =>
        new(MethodKind.BonBon, N: n, Alpha: alpha ?? double.NaN, AlphaByRule: alpha is null, Variant: variant);

    /// <summary>IPO on best/worst of <paramref name="n"/> base samples with β*_n = 1/(2(n−1)H_{n−1}) (BoNBoN with α = 0).</summary>
    public static MethodSpec IpoBon(int n = 8) => new(MethodKind.IpoBon, N: n);

    /// <summary>DPO with inverse temperature <paramref name="beta"/> on best/worst of <paramref name="n"/> base samples.</summary>
    public static MethodSpec Dpo(double beta = 0.1, int n = 8) => new(MethodKind.Dpo, N: n, Beta: beta);

    /// <summary>IPO with regularisation <paramref name="beta"/> (target gap 1/(2β)) on best/worst of <paramref name="n"/> base samples.</summary>
    public static MethodSpec Ipo(double beta = 0.1, int n = 8) => new(MethodKind.Ipo, N: n, Beta: beta);

    /// <summary>Variational BoN (THEORY.md §5): RLOO on log F̂(r) with KL coefficient 1/(n−1), target π_n.</summary>
    public static MethodSpec Vbon(int n = 8) => new(MethodKind.Vbon, N: n);

    /// <summary>BOND (THEORY.md §6): J_β = (1−β)·KL(π_n‖π) + β·KL(π‖π_n) to BoN_n of the fixed base.</summary>
    public static MethodSpec Bond(int n = 2, double beta = 0.5) => new(MethodKind.Bond, N: n, Beta: beta);

    /// <summary>J-BOND (THEORY.md §6): BOND against a moving anchor θ_a ← (1−η)θ_a + ηθ, reaching BoN_{nᵗ} over rounds.</summary>
    public static MethodSpec JBond(int n = 2, double beta = 0.5, double anchorDecay = 0.05) =>
        new(MethodKind.JBond, N: n, Beta: beta, AnchorDecay: anchorDecay);

    /// <summary>KL-regularised RLHF (THEORY.md §3): maximise E_π[r] − β·KL(π‖p) with RLOO, β = <paramref name="beta"/>.</summary>
    public static MethodSpec Rlhf(double beta = 0.1) => new(MethodKind.Rlhf, Beta: beta);
}
