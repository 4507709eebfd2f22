using System.Collections.ObjectModel;

namespace AlignLab.Theory;

/// <summary>
/// One prompt's base (reference) policy p over K outcomes together with their rewards r (THEORY.md, notation).
/// Sorting once by reward gives the reward levels and, per outcome y, the CDF F(r(y)) = P[r(Y) ≤ r(y)], the strict
/// CDF F⁻(r(y)) = P[r(Y) &lt; r(y)], the level mass q(r(y)) = F − F⁻ and the win score s(y) = F⁻ + ½q, which every
/// tilting and measure reuses. Outcomes with equal rewards form one level (ties).
/// </summary>
public sealed class RewardDistribution
{
    private readonly double[] probabilities;
    private readonly double[] rewards;
    private LevelTable? table;

    /// <summary>
    /// Builds a distribution from probabilities p (finite, ≥ 0, summing to 1 within 1e-9) and rewards r (finite), one
    /// per outcome. The probabilities are stored divided by their sum, so that they sum to 1 to rounding.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, or an entry is invalid (the message names index and value).</exception>
    public RewardDistribution(IReadOnlyList<double> probabilities, IReadOnlyList<double> rewards)
    {
        ArgumentChecks.NotNull(probabilities, nameof(probabilities));
        ArgumentChecks.NotNull(rewards, nameof(rewards));
        ArgumentChecks.NotEmpty(probabilities, nameof(probabilities));
        ArgumentChecks.SameLength(probabilities, nameof(probabilities), rewards, nameof(rewards));
        double sum = ArgumentChecks.ProbabilityVector(probabilities, nameof(probabilities));
        ArgumentChecks.AllFinite(rewards, nameof(rewards));

        int k = probabilities.Count;
        this.probabilities = new double[k];
        this.rewards = new double[k];
        for (int i = 0; i < k; i++)
        {
            this.probabilities[i] = probabilities[i] / sum;
            this.rewards[i] = rewards[i];
        }
        Levels = new RewardLevels(this.probabilities, this.rewards);
        Probabilities = Array.AsReadOnly(this.probabilities);
        Rewards = Array.AsReadOnly(this.rewards);
        Cdf = PerOutcome(Levels.Cdf);
        StrictCdf = PerOutcome(Levels.StrictCdf);
        LevelMass = PerOutcome(Levels.Mass);
        WinScore = PerOutcome(Levels.WinScore);
        LevelOfOutcome = Array.AsReadOnly(Levels.LevelOf);
        LevelRewards = Array.AsReadOnly(Levels.Reward);
        LevelMasses = Array.AsReadOnly(Levels.Mass);
        LevelCdf = Array.AsReadOnly(Levels.Cdf);
        LevelStrictCdf = Array.AsReadOnly(Levels.StrictCdf);
    }

    /// <summary>
    /// Builds a distribution from non-negative finite weights w, normalised to p_i = w_i / Σ_j w_j (the sum must be &gt; 0).
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, a weight is negative or not finite, or all weights are 0.</exception>
    public static RewardDistribution Normalize(IReadOnlyList<double> weights, IReadOnlyList<double> rewards)
    {
        ArgumentChecks.NotNull(weights, nameof(weights));
        ArgumentChecks.NotNull(rewards, nameof(rewards));
        ArgumentChecks.NotEmpty(weights, nameof(weights));
        ArgumentChecks.SameLength(weights, nameof(weights), rewards, nameof(rewards));
        ArgumentChecks.AllFiniteNonNegative(weights, nameof(weights));
        double sum = ArgumentChecks.KahanSum(weights);
        if (!(sum > 0.0) || double.IsInfinity(sum))
            throw new ArgumentException($"weights sum to {ArgumentChecks.Show(sum)}; it must be finite and > 0.", nameof(weights));
        var p = new double[weights.Count];
        for (int i = 0; i < p.Length; i++) p[i] = weights[i] / sum;
        return new RewardDistribution(p, rewards);
    }

    /// <summary>K, the number of outcomes.</summary>
    public int Count => probabilities.Length;

    /// <summary>The base probabilities p(y), summing to 1.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>The rewards r(y).</summary>
    public IReadOnlyList<double> Rewards { get; }

    /// <summary>Per outcome, the reward CDF under the base: F(r(y)) = P_{Y~p}[r(Y) ≤ r(y)].</summary>
    public IReadOnlyList<double> Cdf { get; }

    /// <summary>Per outcome, the strict reward CDF under the base: F⁻(r(y)) = P_{Y~p}[r(Y) &lt; r(y)].</summary>
    public IReadOnlyList<double> StrictCdf { get; }

    /// <summary>Per outcome, the mass of its reward level: q(r(y)) = F(r(y)) − F⁻(r(y)).</summary>
    public IReadOnlyList<double> LevelMass { get; }

    /// <summary>
    /// Per outcome, the win score s(y) = F⁻(r(y)) + ½ q(r(y)): the probability that y beats a fresh base sample, ties
    /// counted half (THEORY.md notation). W(π) = Σ_y π(y) s(y).
    /// </summary>
    public IReadOnlyList<double> WinScore { get; }

    /// <summary>The number of distinct reward levels (≤ K).</summary>
    public int LevelCount => Levels.Count;

    /// <summary>Per outcome, the index of its reward level (levels are numbered in increasing reward).</summary>
    public IReadOnlyList<int> LevelOfOutcome { get; }

    /// <summary>The distinct rewards, increasing.</summary>
    public IReadOnlyList<double> LevelRewards { get; }

    /// <summary>Per level, its base mass q.</summary>
    public IReadOnlyList<double> LevelMasses { get; }

    /// <summary>Per level, F at that reward.</summary>
    public IReadOnlyList<double> LevelCdf { get; }

    /// <summary>Per level, F⁻ at that reward (the mass of all lower levels).</summary>
    public IReadOnlyList<double> LevelStrictCdf { get; }

    internal RewardLevels Levels { get; }

    /// <summary>The positive-mass levels as flat arrays for frontier sums, built on first use.</summary>
    internal LevelTable Table => LazyInitializer.EnsureInitialized(ref table, () => new LevelTable(Levels));

    internal double[] ProbabilityArray => probabilities;

    internal double[] RewardArray => rewards;

    private ReadOnlyCollection<double> PerOutcome(double[] perLevel)
    {
        var values = new double[Count];
        for (int i = 0; i < values.Length; i++) values[i] = perLevel[Levels.LevelOf[i]];
        return Array.AsReadOnly(values);
    }
}
