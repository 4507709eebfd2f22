namespace AlignLab.Theory.Objectives;

/// <summary>
/// The BoNBoN objective in expectation (THEORY.md §4) in each <see cref="BonBonVariant"/>:
/// L(θ) = α · E_{π_n}[−log π_θ(y)]/ℓ + (1 − α) · E_{(b,w)}[D(h_θ/ℓ)], with D(h) = (h − 1/(2β))² (squared forms,
/// <see cref="IpoBestWorstObjective"/>) or softplus(−β h) (logistic forms, <see cref="LogisticBestWorstObjective"/>),
/// β = β*_n unless given, and ℓ the response length in tokens for the length-averaged forms (1 for the summed ones).
/// With one length ℓ for every response the softmax normaliser still cancels in h, so the averaged forms are exactly
/// the summed ones rescaled: the squared term is (1/ℓ²)·(h − ℓ/(2β))² and the logistic term uses β/ℓ. (Responses of
/// different lengths, e.g. with an end token, would not reduce this way and are not covered.)
/// </summary>
public sealed class BonBonObjective : ITabularObjective
{
    private readonly SftOnBestObjective sft;
    private readonly ITabularObjective preference;
    private readonly double sftScale;
    private readonly double preferenceScale;

    /// <summary>
    /// The objective for n base samples, SFT weight α, variant, β (default β*_n) and response length ℓ (used by the
    /// length-averaged variants only).
    /// </summary>
    public BonBonObjective(RewardDistribution distribution, int n, double alpha, BonBonVariant variant = BonBonVariant.SquaredSum,
        double? beta = null, int responseLength = 1)
    {
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentException($"alpha must be in [0, 1] (got {alpha}).", nameof(alpha));
        if (responseLength < 1) throw new ArgumentException($"responseLength must be >= 1 (got {responseLength}).", nameof(responseLength));
        var b = beta ?? BonBonConstants.IpoBeta(n);
        ArgumentChecks.Positive(b, nameof(beta));
        Alpha = alpha;
        Variant = variant;
        Beta = b;
        double length = variant.AveragesTokens() ? responseLength : 1;
        sft = new SftOnBestObjective(distribution, n);
        sftScale = 1 / length;
        preference = variant.IsLogistic()
            ? new LogisticBestWorstObjective(distribution, n, b / length)
            : new IpoBestWorstObjective(distribution, n, length / (2 * b));
        preferenceScale = variant.IsLogistic() ? 1 : 1 / (length * length);
        Name = $"bonbon(n={n}, alpha={alpha:G6}, {variant}, beta={b:G6}{(variant.AveragesTokens() ? $", length={responseLength}" : "")})";
    }

    /// <summary>The SFT weight α.</summary>
    public double Alpha { get; }

    /// <summary>The loss form.</summary>
    public BonBonVariant Variant { get; }

    /// <summary>The preference term's β (target gap 1/(2β) for the squared forms).</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => sft.Dimension;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits) =>
        Alpha * sftScale * sft.Value(logits) + (1 - Alpha) * preferenceScale * preference.Value(logits);

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        var g1 = sft.Gradient(logits);
        var g2 = preference.Gradient(logits);
        return g1.Select((g, i) => Alpha * sftScale * g + (1 - Alpha) * preferenceScale * g2[i]).ToArray();
    }
}
