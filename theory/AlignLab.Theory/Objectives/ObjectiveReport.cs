namespace AlignLab.Theory.Objectives;

/// <summary>
/// Where an objective's infinite-data optimum π* lands (issue 3 item 5), next to the best-of-n policy π_n of the same
/// base: KL(π* ‖ π_n), KL(π* ‖ p), the win rate W(π*) against the base (THEORY.md §2), and π_n's own KL to the base and
/// win rate.
/// </summary>
public sealed record ObjectiveReport(
    string Objective,
    IReadOnlyList<double> Probabilities,
    double KlToBestOfN,
    double KlToBase,
    double WinRate,
    double BestOfNKlToBase,
    double BestOfNWinRate)
{
    /// <summary>Minimises <paramref name="objective"/> over the single prompt <paramref name="distribution"/> and reports against π_n.</summary>
    public static ObjectiveReport Create(ITabularObjective objective, RewardDistribution distribution, int n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        var optimum = TabularMinimizer.Minimize(objective, TabularLogits.Log(distribution.Probabilities),
            scales: TabularMinimizer.BaseScales(distribution.Probabilities));
        return Describe(objective.Name, optimum.Probabilities, distribution, n);
    }

    /// <summary>
    /// Minimises a prompt-set objective and reports its optimum against π_n prompt by prompt, averaged with the prompt
    /// weights: KL and win rate are Σ_x w_x·(per-prompt value). <see cref="Probabilities"/> holds the prompts'
    /// distributions concatenated, in the order of the objective's logits. The search stops when every gradient entry is
    /// below <paramref name="gradientTolerance"/>; on large supports a looser one is enough (on a toy-task prompt,
    /// 7,776 responses, 1e-4 and 1e-8 give the same KL and win rate to four decimals). The search starts from
    /// <paramref name="initialLogits"/> (default: the base, log p): starting from π_n costs nothing where π_n is the
    /// minimiser and avoids crawling towards π_n's tiny masses, along which √p scaling does not even out the curvature.
    /// </summary>
    public static ObjectiveReport Create(PromptSetObjective objective, PromptSet prompts, int n, double gradientTolerance = 1e-10,
        IReadOnlyList<double>? initialLogits = null)
    {
        ArgumentChecks.NotNull(objective, nameof(objective));
        ArgumentChecks.NotNull(prompts, nameof(prompts));
        if (objective.PromptCount != prompts.Count)
            throw new ArgumentException($"objective has {objective.PromptCount} prompts but prompts has {prompts.Count}.", nameof(prompts));
        var start = initialLogits ?? prompts.Prompts.SelectMany(d => TabularLogits.Log(d.Probabilities)).ToArray();
        var optimum = TabularMinimizer.Minimize(objective, start, gradientTolerance,
            TabularMinimizer.BaseScales(prompts.Prompts.SelectMany(d => d.Probabilities)));
        var parts = Enumerable.Range(0, prompts.Count)
            .Select(x => Describe(objective.Name, Softmax.Probabilities(objective.Slice(optimum.Logits, x)), prompts.Prompts[x], n))
            .ToArray();
        double Weighted(Func<ObjectiveReport, double> value) => parts.Select((r, x) => prompts.Weights[x] * value(r)).Sum();
        return new ObjectiveReport(
            objective.Name,
            optimum.Probabilities,
            Weighted(r => r.KlToBestOfN),
            Weighted(r => r.KlToBase),
            Weighted(r => r.WinRate),
            Weighted(r => r.BestOfNKlToBase),
            Weighted(r => r.BestOfNWinRate));
    }

    /// <summary>Reports an arbitrary policy <paramref name="probabilities"/> over <paramref name="distribution"/> against π_n.</summary>
    public static ObjectiveReport Describe(string name, IReadOnlyList<double> probabilities, RewardDistribution distribution, int n)
    {
        ArgumentChecks.NotNull(distribution, nameof(distribution));
        ArgumentChecks.ProbabilityVector(probabilities, nameof(probabilities));
        ArgumentChecks.SameLength(probabilities, nameof(probabilities), distribution.Probabilities, nameof(distribution));
        var bon = Tilting.BestOfN(distribution, n);
        return new ObjectiveReport(
            name,
            probabilities,
            Measures.Kl(probabilities, bon.Probabilities),
            Measures.Kl(distribution, probabilities),
            Measures.WinRate(distribution, probabilities),
            Measures.Kl(bon),
            Measures.WinRate(bon));
    }
}
