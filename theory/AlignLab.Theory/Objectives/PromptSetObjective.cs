namespace AlignLab.Theory.Objectives;

/// <summary>
/// A tabular objective over a prompt set: L(θ) = Σ_x w_x · L_x(θ_x), with θ the prompts' logits concatenated
/// (prompt-major, K_x per prompt) and L_x the per-prompt objective built by a factory (e.g.
/// <c>d =&gt; new BonBonObjective(d, 4, 0.5)</c>). The prompts decouple, so the optimum is the per-prompt optimum.
/// </summary>
public sealed class PromptSetObjective : ITabularObjective
{
    private readonly ITabularObjective[] parts;
    private readonly double[] weights;
    private readonly int[] offsets;

    /// <summary>Builds the per-prompt objectives of <paramref name="prompts"/> with <paramref name="perPrompt"/>.</summary>
    public PromptSetObjective(PromptSet prompts, Func<RewardDistribution, ITabularObjective> perPrompt)
    {
        ArgumentChecks.NotNull(prompts, nameof(prompts));
        ArgumentChecks.NotNull(perPrompt, nameof(perPrompt));
        parts = prompts.Prompts.Select(perPrompt).ToArray();
        weights = prompts.Weights.ToArray();
        offsets = new int[parts.Length + 1];
        for (var x = 0; x < parts.Length; x++) offsets[x + 1] = offsets[x] + parts[x].Dimension;
        Name = parts[0].Name;
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Dimension => offsets[^1];

    /// <summary>Number of prompts.</summary>
    public int PromptCount => parts.Length;

    /// <summary>The logits of prompt x, a slice of the concatenated logits.</summary>
    public double[] Slice(IReadOnlyList<double> logits, int prompt) =>
        logits.Skip(offsets[prompt]).Take(parts[prompt].Dimension).ToArray();

    /// <inheritdoc />
    public double Value(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        return parts.Select((part, x) => weights[x] * part.Value(Slice(logits, x))).Sum();
    }

    /// <inheritdoc />
    public double[] Gradient(IReadOnlyList<double> logits)
    {
        TabularLogits.CheckLogits(logits, Dimension);
        var gradient = new double[Dimension];
        for (var x = 0; x < parts.Length; x++)
        {
            var g = parts[x].Gradient(Slice(logits, x));
            for (var i = 0; i < g.Length; i++) gradient[offsets[x] + i] = weights[x] * g[i];
        }
        return gradient;
    }
}
