using AlignLab.Theory;
using AlignLab.Theory.Objectives;

namespace AlignLab.Dsl;

/// <summary>
/// The infinite-data training objective (THEORY.md §9) of a method row, for one prompt's base distribution, where the
/// theory module has it for the pairs the experiment trains on: SFT-BoN (SFT on π_n), BoNBoN, IPO-BoN and IPO on
/// best/worst-of-n pairs, and vBoN (reverse KL to π_n). Null for the rest (DPO here trains on best/worst pairs, which
/// the theory's DPO objective does not model; BOND's moving anchor and RLHF's reward scale are not tabular objectives).
/// </summary>
internal static class ExactObjectives
{
    private static ITabularObjective? For(MethodSpec spec, RewardDistribution distribution, int responseLength) => spec.Kind switch
    {
        MethodKind.SftBon => new SftOnBestObjective(distribution, spec.N),
        MethodKind.BonBon => new BonBonObjective(distribution, spec.N, spec.Alpha, spec.Variant ?? Engine.Methods.BonBonConfig.DefaultVariant,
            responseLength: responseLength),
        MethodKind.IpoBon => new IpoBestWorstObjective(distribution, spec.N),
        MethodKind.Ipo => new IpoBestWorstObjective(distribution, spec.N, 1 / (2 * spec.Beta)),
        MethodKind.Vbon => new ReverseKlObjective(distribution, spec.N),
        _ => null,
    };

    /// <summary>Largest support on which BoNBoN's logistic forms get their exact objective (it holds the best/worst law densely, K² entries).</summary>
    private const int MaxDenseOutcomes = 2048;

    /// <summary>
    /// Whether <see cref="For"/> gives an objective for this row. Not for BoNBoN at the rule's α, which training sets
    /// from its first batch, nor for its logistic forms on more than <see cref="MaxDenseOutcomes"/> responses per prompt
    /// (the default toy task's 7,776 would need 60 million law entries per prompt).
    /// </summary>
    private static bool Has(MethodSpec spec, PromptSet prompts) =>
        spec.Kind is MethodKind.SftBon or MethodKind.IpoBon or MethodKind.Ipo or MethodKind.Vbon
        || spec.Kind == MethodKind.BonBon && !spec.AlphaByRule
           && (!(spec.Variant ?? Engine.Methods.BonBonConfig.DefaultVariant).IsLogistic() || prompts.Prompts.All(d => d.Count <= MaxDenseOutcomes));

    /// <summary>
    /// The row's objective, prompt-averaged with the prompt weights: at the per-prompt <paramref name="policies"/>, at
    /// π_n, and, when <paramref name="withOptimum"/>, at its exact optimum over all per-prompt policies with that
    /// optimum's KL and win rate (preconditioned L-BFGS from π_n, stopped when every gradient entry is below 1e-8; for
    /// SFT-BoN and vBoN, whose minimiser is π_n, the search only confirms that π_n is stationary). The optimum columns
    /// are NaN without <paramref name="withOptimum"/>; null when the method has no tabular objective. <paramref name="responseLength"/>
    /// is the token count ℓ of every response, for the length-averaged BoNBoN forms. The search (about a minute per row on
    /// the default toy task) stops with <see cref="OperationCanceledException"/> at the next objective evaluation once
    /// <paramref name="cancellationToken"/> is signalled.
    /// </summary>
    public static (double Value, double AtBonN, double OptimumValue, double OptimumKl, double OptimumWinRate)? Columns(
        MethodSpec spec, PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policies, bool withOptimum, int responseLength = 1,
        CancellationToken cancellationToken = default)
    {
        if (!Has(spec, prompts)) return null;
        var objective = new PromptSetObjective(prompts, d => new Cancellable(For(spec, d, responseLength)!, cancellationToken));
        var bestOfN = Logits(prompts.Prompts.SelectMany(d => Tilting.BestOfN(d, spec.N).Probabilities));
        var value = objective.Value(Logits(policies.SelectMany(q => q)));
        var atBonN = objective.Value(bestOfN);
        if (!withOptimum) return (value, atBonN, double.NaN, double.NaN, double.NaN);
        var optimum = ObjectiveReport.Create(objective, prompts, spec.N, gradientTolerance: 1e-8, initialLogits: bestOfN);
        return (value, atBonN, objective.Value(Logits(optimum.Probabilities)), optimum.KlToBase, optimum.WinRate);
    }

    /// <summary>An objective that checks the cancellation token at every evaluation, so Ctrl-C reaches the optimiser's loop.</summary>
    private sealed class Cancellable(ITabularObjective inner, CancellationToken cancellationToken) : ITabularObjective
    {
        public string Name => inner.Name;

        public int Dimension => inner.Dimension;

        public double Value(IReadOnlyList<double> logits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return inner.Value(logits);
        }

        public double[] Gradient(IReadOnlyList<double> logits)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return inner.Gradient(logits);
        }
    }

    /// <summary>log q, with a response that gets no mass scored at 1e-300 (log 0 would make every pair term infinite).</summary>
    private static double[] Logits(IEnumerable<double> probabilities) => probabilities.Select(q => Math.Log(Math.Max(q, 1e-300))).ToArray();
}
