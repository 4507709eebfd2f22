namespace AlignLab.Theory.Objectives;

/// <summary>
/// Supervised fine-tuning on the best of n base samples (SFT-BoN; the SFT term of BoNBoN, THEORY.md §4), in expectation:
/// L(θ) = E_{y~π_n}[−log π_θ(y)] = −Σ_y π_n(y) log π_θ(y), ∇L = π_θ − π_n. Its minimiser is π_n exactly.
/// </summary>
public sealed class SftOnBestObjective : ITabularObjective
{
    private readonly double[] target;

    /// <summary>The objective for best-of-<paramref name="n"/> samples of <paramref name="distribution"/>.</summary>
    public SftOnBestObjective(RewardDistribution distribution, int n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        if (n < 1) throw new ArgumentException($"n must be >= 1 (got {n}).", nameof(n));
        target = Tilting.BestOfN(distribution, n).Probabilities.ToArray();
        Name = $"sft-bon(n={n})";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => target.Length;

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var logPi = Softmax.LogProbabilities(logits);
        return -target.Select((t, i) => t > 0 ? t * logPi[i] : 0.0).Sum();
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var pi = Softmax.Probabilities(logits);
        return pi.Select((v, i) => v - target[i]).ToArray();
    }
}
