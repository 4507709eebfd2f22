using System.Globalization;
using AlignLab.Theory.Objectives;

namespace AlignLab.Dsl;

/// <summary>
/// One method of an <see cref="Experiment"/> with its parameters (built with <see cref="Methods"/>); immutable.
/// A parameter a method does not use is NaN (or 0 for <see cref="N"/>). Invalid values are reported by
/// <see cref="Experiment.Validate"/> before any training.
/// </summary>
/// <param name="Kind">Which method.</param>
/// <param name="N">The n of best-of-n (samples per prompt the pairs or the target π_n come from).</param>
/// <param name="Alpha">BoNBoN's SFT weight α ∈ [0, 1].</param>
/// <param name="Beta">DPO / IPO / RLHF β &gt; 0, or BOND's Jeffreys mixing weight β ∈ [0, 1].</param>
/// <param name="AnchorDecay">J-BOND's EMA rate η ∈ (0, 1] of the moving anchor.</param>
/// <param name="Steps">Training steps; 0 uses the experiment's <see cref="ExperimentScale.Steps"/>.</param>
/// <param name="LearningRate">Learning rate; 0 uses the experiment's <see cref="ExperimentScale.LearningRate"/>.</param>
/// <param name="Label">Row name in the result table; null gives one from the kind and parameters.</param>
/// <param name="AlphaByRule">BoNBoN only: α is set by the equal-terms rule from the first batch (then <see cref="Alpha"/> is NaN).</param>
/// <param name="Variant">BoNBoN only: the loss form (null for the other methods).</param>
public sealed record MethodSpec(
    MethodKind Kind, int N = 0, double Alpha = double.NaN, double Beta = double.NaN, double AnchorDecay = double.NaN,
    int Steps = 0, double LearningRate = 0, string? Label = null, bool AlphaByRule = false, BonBonVariant? Variant = null)
{
    /// <summary>True when the method trains a model (everything but <see cref="MethodKind.Base"/> and <see cref="MethodKind.BestOfN"/>).</summary>
    public bool IsTrained => Kind is not (MethodKind.Base or MethodKind.BestOfN);

    /// <summary>
    /// True when the method learns from best-of-n samples of the base — best/worst pairs (BoNBoN, IPO-BoN, DPO, IPO) or
    /// the best sample (SFT-BoN) — which a real task can read from an offline best-of-n file instead of sampling.
    /// </summary>
    public bool TrainsOnBestOfNData => Kind is MethodKind.BonBon or MethodKind.IpoBon or MethodKind.Dpo or MethodKind.Ipo or MethodKind.SftBon;

    /// <summary>True when the method has the parameter n.</summary>
    public bool UsesN => Kind is not (MethodKind.Base or MethodKind.Rlhf);

    /// <summary>True when the method has the parameter α.</summary>
    public bool UsesAlpha => Kind is MethodKind.BonBon;

    /// <summary>True when the method has the parameter β.</summary>
    public bool UsesBeta => Kind is MethodKind.Dpo or MethodKind.Ipo or MethodKind.Rlhf or MethodKind.Bond or MethodKind.JBond;

    /// <summary>True when the method has the anchor decay η.</summary>
    public bool UsesAnchorDecay => Kind is MethodKind.JBond;

    /// <summary>The method's name in tables and charts: <see cref="Label"/>, or e.g. <c>BoNBoN(n=8, α=0.1)</c>.</summary>
    public string DisplayName => Label ?? $"{KindName}({string.Join(", ", ParameterTexts())})".Replace("()", "", StringComparison.Ordinal);

    /// <summary>The method's name without parameters, e.g. <c>BoNBoN</c> (chart legend groups).</summary>
    public string KindName => Kind switch
    {
        MethodKind.Base => "base",
        MethodKind.BestOfN => "best-of-n",
        MethodKind.SftBon => "SFT-BoN",
        MethodKind.BonBon => "BoNBoN",
        MethodKind.IpoBon => "IPO-BoN",
        MethodKind.Dpo => "DPO",
        MethodKind.Ipo => "IPO",
        MethodKind.Vbon => "vBoN",
        MethodKind.Bond => "BOND",
        MethodKind.JBond => "J-BOND",
        MethodKind.Rlhf => "RLHF",
        _ => Kind.ToString(),
    };

    /// <summary>This method with row name <paramref name="label"/>.</summary>
    public MethodSpec Named(string label) =>
        string.IsNullOrWhiteSpace(label) ? throw new ArgumentException($"label must be a non-empty name (got '{label}').", nameof(label)) : this with { Label = label };

    /// <summary>This method trained for <paramref name="steps"/> steps instead of the experiment's default (checked by Validate).</summary>
    public MethodSpec WithSteps(int steps) => this with { Steps = steps };

    /// <summary>This method trained with learning rate <paramref name="learningRate"/> (checked by Validate).</summary>
    public MethodSpec WithLearningRate(double learningRate) => this with { LearningRate = learningRate };

    /// <summary>
    /// A grid sweep: one copy of this method per combination of the given values (a parameter not given keeps this
    /// method's value), in row-major order n, α, β, η. Example: <c>Methods.BonBon(n: 8).Sweep(alpha: [0.0, 0.1, 0.5])</c>.
    /// Throws <see cref="ArgumentException"/> for a parameter the method does not have or an empty value list.
    /// </summary>
    public IReadOnlyList<MethodSpec> Sweep(
        IEnumerable<int>? n = null, IEnumerable<double>? alpha = null, IEnumerable<double>? beta = null, IEnumerable<double>? anchorDecay = null)
    {
        var ns = Axis(n, UsesN, nameof(n), N);
        var alphas = Axis(alpha, UsesAlpha, nameof(alpha), Alpha);
        var betas = Axis(beta, UsesBeta, nameof(beta), Beta);
        var decays = Axis(anchorDecay, UsesAnchorDecay, nameof(anchorDecay), AnchorDecay);
        var byRule = alpha is null && AlphaByRule;
        return [.. from a in ns from b in alphas from c in betas from d in decays
                   select this with { N = a, Alpha = b, Beta = c, AnchorDecay = d, AlphaByRule = byRule, Label = Label is null ? null : $"{Label}[{string.Join(", ", (this with { N = a, Alpha = b, Beta = c, AnchorDecay = d, AlphaByRule = byRule }).ParameterTexts())}]" }];
    }

    /// <summary>
    /// What is wrong with this method's parameters, one sentence per problem saying what to change; empty when valid.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        int minimumN = Kind is MethodKind.BestOfN or MethodKind.SftBon or MethodKind.Bond or MethodKind.JBond ? 1 : 2;
        if (UsesN && N < minimumN)
            problems.Add($"n must be >= {minimumN} for {KindName} (got {N}); use e.g. n: 8.");
        if (UsesAlpha && !AlphaByRule && !(Alpha >= 0 && Alpha <= 1))
            problems.Add($"alpha must be in [0, 1] (got {Format(Alpha)}); α weights the SFT term, 1 − α the IPO term.");
        if (Kind is MethodKind.Bond or MethodKind.JBond)
        {
            if (!(Beta >= 0 && Beta <= 1)) problems.Add($"beta (the Jeffreys mixing weight) must be in [0, 1] (got {Format(Beta)}).");
        }
        else if (UsesBeta && !(Beta > 0 && double.IsFinite(Beta)))
            problems.Add($"beta must be a positive number (got {Format(Beta)}); use e.g. beta: 0.1.");
        if (UsesAnchorDecay && !(AnchorDecay > 0 && AnchorDecay <= 1))
            problems.Add($"anchorDecay must be in (0, 1] for J-BOND (got {Format(AnchorDecay)}); 0 is plain BOND: use Methods.Bond.");
        if (Steps < 0) problems.Add($"steps must be >= 1, or 0 for the experiment's default (got {Steps}).");
        if (!(LearningRate >= 0 && double.IsFinite(LearningRate)))
            problems.Add($"learning rate must be > 0, or 0 for the experiment's default (got {Format(LearningRate)}).");
        return problems;
    }

    /// <summary>
    /// A stable key of this row's computation at experiment seed <paramref name="seed"/>, usable as a file name and on a
    /// command line: the kind, the parameters it uses, its own steps and learning rate when set, and the seed, e.g.
    /// <c>bonbon-n8-alpha0.1-seed0</c> or <c>dpo-n8-beta0.05-steps600-seed1</c> (numbers in round-trip invariant form).
    /// The <see cref="Label"/> is not part of it: renaming a row does not change what it computes. The run's row store
    /// (<see cref="RowStore"/>) files each finished row under this key.
    /// </summary>
    public string Key(long seed)
    {
        var parts = new List<string> { Kind.ToString().ToLowerInvariant() };
        if (UsesN) parts.Add($"n{N.ToString(CultureInfo.InvariantCulture)}");
        if (UsesAlpha) parts.Add($"alpha{Alpha.ToString("R", CultureInfo.InvariantCulture)}");
        if (UsesBeta) parts.Add($"beta{Beta.ToString("R", CultureInfo.InvariantCulture)}");
        if (UsesAnchorDecay) parts.Add($"eta{AnchorDecay.ToString("R", CultureInfo.InvariantCulture)}");
        if (Steps > 0) parts.Add($"steps{Steps.ToString(CultureInfo.InvariantCulture)}");
        if (LearningRate > 0) parts.Add($"lr{LearningRate.ToString("R", CultureInfo.InvariantCulture)}");
        parts.Add($"seed{seed.ToString(CultureInfo.InvariantCulture)}");
        return string.Join('-', parts);
    }

    /// <inheritdoc />
    public override string ToString() => DisplayName;

    private IEnumerable<string> ParameterTexts()
    {
        if (UsesN) yield return $"n={N}";
        if (UsesAlpha) yield return AlphaByRule ? "α=rule" : $"α={Format(Alpha)}";
        if (UsesAlpha && Variant is { } variant && variant != AlignLab.Engine.Methods.BonBonConfig.DefaultVariant) yield return variant.ToString();
        if (UsesBeta) yield return $"β={Format(Beta)}";
        if (UsesAnchorDecay) yield return $"η={Format(AnchorDecay)}";
    }

    private IReadOnlyList<T> Axis<T>(IEnumerable<T>? values, bool used, string name, T current)
    {
        if (values is null) return [current];
        if (!used) throw new ArgumentException($"{KindName} has no parameter '{name}' to sweep; its parameters are: {string.Join(", ", SweepableNames())}.", name);
        var list = values.ToArray();
        if (list.Length == 0) throw new ArgumentException($"{name} must list at least one value to sweep (got none).", name);
        return list;
    }

    private IEnumerable<string> SweepableNames()
    {
        var names = new List<string>();
        if (UsesN) names.Add("n");
        if (UsesAlpha) names.Add("alpha");
        if (UsesBeta) names.Add("beta");
        if (UsesAnchorDecay) names.Add("anchorDecay");
        return names.Count == 0 ? ["(none)"] : names;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
