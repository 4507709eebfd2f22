namespace AlignLab.Theory;

/// <summary>
/// Several prompts x, each with its base distribution and rewards, and prompt weights w_x (default uniform). Aggregate
/// measures over a prompt set are the prompt-weighted averages Σ_x w_x · M_x (see the <see cref="Measures"/> overloads).
/// </summary>
public sealed class PromptSet
{
    /// <summary>A prompt set with uniform weights w_x = 1/|X|.</summary>
    /// <exception cref="ArgumentException">The list is empty or holds a null entry.</exception>
    public PromptSet(IReadOnlyList<RewardDistribution> prompts)
        : this(prompts, Uniform(prompts))
    {
    }

    /// <summary>A prompt set with weights w_x (finite, ≥ 0, summing to 1 within 1e-9; stored divided by their sum).</summary>
    /// <exception cref="ArgumentException">Lengths differ, a weight is invalid, or a prompt is null (index named).</exception>
    public PromptSet(IReadOnlyList<RewardDistribution> prompts, IReadOnlyList<double> weights)
    {
        ArgumentChecks.NotNull(prompts, nameof(prompts));
        ArgumentChecks.NotEmpty(prompts, nameof(prompts));
        ArgumentChecks.NotNull(weights, nameof(weights));
        ArgumentChecks.SameLength(prompts, nameof(prompts), weights, nameof(weights));
        for (int x = 0; x < prompts.Count; x++)
            if (prompts[x] is null) throw new ArgumentException($"prompts[{x}] is null.", nameof(prompts));
        double sum = ArgumentChecks.ProbabilityVector(weights, nameof(weights));
        Prompts = prompts.ToArray();
        Weights = Array.AsReadOnly(weights.Select(w => w / sum).ToArray());
    }

    /// <summary>The number of prompts.</summary>
    public int Count => Prompts.Count;

    /// <summary>Each prompt's base distribution and rewards.</summary>
    public IReadOnlyList<RewardDistribution> Prompts { get; }

    /// <summary>The prompt weights w_x, summing to 1.</summary>
    public IReadOnlyList<double> Weights { get; }

    private static double[] Uniform(IReadOnlyList<RewardDistribution> prompts)
    {
        ArgumentChecks.NotNull(prompts, nameof(prompts));
        ArgumentChecks.NotEmpty(prompts, nameof(prompts));
        return Enumerable.Repeat(1.0 / prompts.Count, prompts.Count).ToArray();
    }
}
