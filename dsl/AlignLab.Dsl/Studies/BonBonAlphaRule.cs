using AlignLab.Theory.Objectives;

namespace AlignLab.Dsl;

/// <summary>
/// The authors' α rule as <see cref="BonBonFidelity"/> applied it: for a seed, protocol and variant, the SFT term at the
/// reference S (mean −log p(y_best) over the protocol's pairs, per token for the Mean forms) and the α = P/(S + P) that
/// makes the two terms equal there (<see cref="BonBonVariants.EqualTermsAlpha"/>).
/// </summary>
public sealed record BonBonAlphaRule(long Seed, BonBonProtocol Protocol, BonBonVariant Variant, double SftAtReference, double Alpha);
