using AlignLab.Theory.Objectives;

namespace AlignLab.Engine.Methods;

/// <summary>
/// BoNBoN alignment (Gui et al. 2024; THEORY.md §4) in one of its <see cref="BonBonVariant"/> forms.
/// </summary>
/// <param name="N">Samples per prompt n the best/worst pairs come from (default 8).</param>
/// <param name="Alpha">
/// Weight α of the SFT term, 1 − α on the preference term; null (the default) applies the authors' rule, α such that the
/// two terms are equal at the reference, computed from the first batch (<see cref="BonBonMethod.EqualTermsAlpha"/>).
/// </param>
/// <param name="Beta">
/// β of the preference term; null (default) uses β*_n = 1/(2(n−1)H_{n−1}): the squared forms' target gap 1/(2β) is then
/// h*_n, and the logistic forms use it as DPO's β, as the authors' code does.
/// </param>
/// <param name="BatchSize">Pairs per step (default 32).</param>
/// <param name="Variant">The loss form (default <see cref="DefaultVariant"/>).</param>
/// <param name="EndTokens">
/// The tokens that end a response (the policy's <see cref="AlignLab.Models.CausalLm.EndTokens"/>; null, the default: none, every
/// response has the full length); the length-averaged forms count a response's tokens up to and including its first one.
/// </param>
public sealed record BonBonConfig(int N = 8, double? Alpha = null, double? Beta = null, int BatchSize = 32,
    BonBonVariant Variant = BonBonConfig.DefaultVariant, IReadOnlyList<long>? EndTokens = null)
{
    /// <summary>
    /// The default loss form, the best faithful setting of scripts/bonbon_fidelity.csx (docs/scripts.md, "bonbon_fidelity"):
    /// the authors' logistic form with length-averaged log-probs, at the equal-terms α.
    /// </summary>
    public const BonBonVariant DefaultVariant = BonBonVariant.LogisticMean;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public BonBonConfig Validate()
    {
        MethodChecks.AtLeast(N, 2, nameof(N));
        if (Alpha is { } alpha) MethodChecks.UnitInterval(alpha, nameof(Alpha));
        if (Beta is { } beta) MethodChecks.Positive(beta, nameof(Beta));
        MethodChecks.AtLeast(BatchSize, 1, nameof(BatchSize));
        if (!Enum.IsDefined(Variant)) throw new ArgumentException($"Variant must be one of {string.Join(", ", Enum.GetNames<BonBonVariant>())} (got {(int)Variant}).", nameof(Variant));
        return this;
    }

    /// <summary>The preference term's β: <see cref="Beta"/>, or β*_n.</summary>
    public double EffectiveBeta => Beta ?? AlignLab.Theory.BonBonConstants.IpoBeta(N);

    /// <summary>The squared forms' target log-ratio gap 1/(2β), h*_n by default.</summary>
    public double TargetGap => 1 / (2 * EffectiveBeta);
}
