namespace AlignLab.Theory;

/// <summary>
/// A policy π over the same K outcomes as a base distribution: a tilting of the base (see <see cref="Tilting"/>) or any
/// probability vector, e.g. a trained tabular policy. <see cref="Kind"/> and <see cref="Parameter"/> say where it came
/// from ("bon" with n, "optimal" with c, ...).
/// </summary>
public sealed class DiscretePolicy
{
    /// <summary>
    /// Wraps probabilities π(y) (finite, ≥ 0, summing to 1 within 1e-9; stored divided by their sum) over the outcomes of
    /// <paramref name="baseDistribution"/>.
    /// </summary>
    /// <param name="baseDistribution">The base p and rewards r the policy is measured against.</param>
    /// <param name="probabilities">π(y), one per outcome of the base.</param>
    /// <param name="kind">A short name of the family, e.g. "bon" or "trained".</param>
    /// <param name="parameter">The family parameter (n, c, β), or null.</param>
    /// <exception cref="ArgumentException">Wrong length or an invalid entry (the message names index and value).</exception>
    public DiscretePolicy(RewardDistribution baseDistribution, IReadOnlyList<double> probabilities, string kind, double? parameter)
    {
        ArgumentChecks.NotNull(baseDistribution, nameof(baseDistribution));
        ArgumentChecks.NotNull(probabilities, nameof(probabilities));
        ArgumentChecks.NotNull(kind, nameof(kind));
        ArgumentChecks.SameLength(baseDistribution.Probabilities, "the base's probabilities", probabilities, nameof(probabilities));
        double sum = ArgumentChecks.ProbabilityVector(probabilities, nameof(probabilities));
        var p = new double[probabilities.Count];
        for (int i = 0; i < p.Length; i++) p[i] = probabilities[i] / sum;
        Base = baseDistribution;
        ProbabilityArray = p;
        Probabilities = Array.AsReadOnly(p);
        Kind = kind;
        Parameter = parameter;
    }

    /// <summary>The base distribution (p and r) the policy is defined over.</summary>
    public RewardDistribution Base { get; }

    /// <summary>π(y), one per outcome, summing to 1.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>The family: "base", "bon", "worst", "optimal", "rlhf", a composition such as "bon-of-rlhf", or a user name.</summary>
    public string Kind { get; }

    /// <summary>The family parameter (n for best/worst-of-n, c for the optimal tilt, β for RLHF), or null.</summary>
    public double? Parameter { get; }

    internal double[] ProbabilityArray { get; }
}
