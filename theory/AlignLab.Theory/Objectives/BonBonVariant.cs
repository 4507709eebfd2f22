namespace AlignLab.Theory.Objectives;

/// <summary>
/// The forms of the BoNBoN loss on a (best, worst) pair of n reference samples, by where they come from (issue 12). Each
/// is α·(SFT term) + (1 − α)·(preference term), with h the log-ratio gap log π_θ(y_b)/p(y_b) − log π_θ(y_w)/p(y_w) and
/// β = β*_n = 1/(2h*_n) unless set. "Sum" forms take sequence log-probabilities summed over tokens; "Mean" forms divide
/// every sequence log-probability (policy and reference, in both terms) by the response's token count.
/// </summary>
public enum BonBonVariant
{
    /// <summary>
    /// The paper's loss (Gui, Gârbacea &amp; Veitch 2024, arXiv 2406.00832, §4): α·(−log π_θ(y_b)) + (1 − α)·(h − 1/(2β))²,
    /// summed log-probs. The squared (IPO, Azar et al. 2023) preference term pins the gap to h*_n.
    /// </summary>
    SquaredSum,

    /// <summary>
    /// The loss the authors' public code computes (github.com/gl-ybnbxb/BoNBoN, <c>trainers.py</c>, loss <c>bonbon</c>:
    /// <c>preference_loss</c> is called without <c>ipo</c>, so its term is DPO's, and <c>_get_batch_logps</c> sums):
    /// α·(−log π_θ(y_b)) + (1 − α)·(−log σ(β·h)), summed log-probs; their run uses β = β*_8 = 0.0275482, α = 0.005.
    /// The logistic term has no finite target gap: only the SFT term bounds it.
    /// </summary>
    LogisticSum,

    /// <summary><see cref="SquaredSum"/> with length-averaged log-probs (<c>_get_batch_logps(average_log_prob=True)</c> in the same code).</summary>
    SquaredMean,

    /// <summary><see cref="LogisticSum"/> with length-averaged log-probs (<c>_get_batch_logps(average_log_prob=True)</c>).</summary>
    LogisticMean,
}

/// <summary>What a <see cref="BonBonVariant"/> computes.</summary>
public static class BonBonVariants
{
    /// <summary>True for the logistic (DPO) preference term, false for the squared (IPO) one.</summary>
    public static bool IsLogistic(this BonBonVariant variant) => variant switch
    {
        BonBonVariant.SquaredSum or BonBonVariant.SquaredMean => false,
        BonBonVariant.LogisticSum or BonBonVariant.LogisticMean => true,
        _ => throw new ArgumentException($"Unknown BoNBoN variant {variant}.", nameof(variant)),
    };

    /// <summary>True when sequence log-probs are divided by the response length.</summary>
    public static bool AveragesTokens(this BonBonVariant variant) => variant is BonBonVariant.SquaredMean or BonBonVariant.LogisticMean;

    /// <summary>
    /// The α that makes the two terms equal at the reference, the authors' rule ("so that the losses from SFT-BoN and
    /// IPO-BoN contribute approximately equally"): α·S = (1 − α)·P, i.e. α = P/(S + P), where S is the SFT term at the
    /// reference (the mean of −log p(y_b), per token for Mean forms) and P the preference term at h = 0: (1/(2β))² for
    /// the squared forms, log 2 for the logistic ones.
    /// </summary>
    public static double EqualTermsAlpha(this BonBonVariant variant, double sftAtReference, double beta)
    {
        if (!(sftAtReference >= 0) || double.IsInfinity(sftAtReference))
            throw new ArgumentException($"sftAtReference must be >= 0 and finite (got {sftAtReference}).", nameof(sftAtReference));
        ArgumentChecks.Positive(beta, nameof(beta));
        var preference = variant.IsLogistic() ? Math.Log(2) : Math.Pow(1 / (2 * beta), 2);
        return preference / (sftAtReference + preference);
    }
}
