using AlignLab.Theory.Objectives;

namespace AlignLab.Dsl;

/// <summary>
/// One trained row of <see cref="BonBonFidelity"/>: a method on a protocol. <see cref="Kind"/> is "BoNBoN", "SFT-BoN"
/// (BoNBoN with α = 1: SFT on the same best samples), "DPO" or "IPO"; <see cref="Variant"/> and <see cref="AlphaRule"/>
/// only for BoNBoN.
/// </summary>
/// <param name="Kind">The method.</param>
/// <param name="Protocol">Fresh pairs or the fixed dataset.</param>
/// <param name="Variant">BoNBoN's loss form (SFT-BoN, DPO, IPO: null).</param>
/// <param name="AlphaRule">
/// How BoNBoN's α is set: "rule" (terms equal at the reference, computed per seed from the protocol's pairs), "authors"
/// (0.005, their documented run) or "today" (0.1, AlignLab's earlier study); null for the other methods.
/// </param>
/// <param name="Alpha">The fixed α for "authors"/"today" (NaN for "rule": it is computed per seed).</param>
/// <param name="Beta">DPO/IPO β (NaN for BoNBoN and SFT-BoN, which use β*_n).</param>
public sealed record BonBonFidelityArm(string Kind, BonBonProtocol Protocol, BonBonVariant? Variant, string? AlphaRule, double Alpha, double Beta)
{
    /// <summary>The row's name, e.g. "BoNBoN LogisticSum α=rule [Offline]".</summary>
    public string Name => Kind switch
    {
        "BoNBoN" => $"BoNBoN {Variant} α={AlphaRule}{(AlphaRule == "rule" ? "" : $"({Alpha:G3})")} [{Protocol}]",
        "DPO" or "IPO" => $"{Kind} β={Beta:G3} [{Protocol}]",
        _ => $"{Kind} [{Protocol}]",
    };

    /// <summary>True for the BoNBoN rows that follow the paper or the authors' code (every variant at the rule's α, the logistic forms at α = 0.005).</summary>
    public bool IsFaithful => Kind == "BoNBoN" && (AlphaRule == "rule" || (AlphaRule == "authors" && Variant is { } v && v.IsLogistic()));
}
