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
    public static ITabularObjective? For(MethodSpec spec, RewardDistribution distribution) => spec.Kind switch
    {
        MethodKind.SftBon => new SftOnBestObjective(distribution, spec.N),
        MethodKind.BonBon => new BonBonObjective(distribution, spec.N, spec.Alpha),
        MethodKind.IpoBon => new IpoBestWorstObjective(distribution, spec.N),
        MethodKind.Ipo => new IpoBestWorstObjective(distribution, spec.N, 1 / (2 * spec.Beta)),
        MethodKind.Vbon => new ReverseKlObjective(distribution, spec.N),
        _ => null,
    };

    /// <summary>Whether <see cref="For"/> gives an objective for this row.</summary>
    public static bool Has(MethodSpec spec) => spec.Kind is MethodKind.SftBon or MethodKind.BonBon or MethodKind.IpoBon or MethodKind.Ipo or MethodKind.Vbon;

    /// <summary>The objective averaged over prompts (uniform weights) at per-prompt policies <paramref name="policies"/>.</summary>
    public static double Value(MethodSpec spec, PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policies)
    {
        var total = 0.0;
        for (var x = 0; x < prompts.Count; x++)
        {
            total += prompts.Weights[x] * For(spec, prompts.Prompts[x])!.Value(Logits(policies[x]));
        }
        return total;
    }

    /// <summary>
    /// The objective's exact optimum over all per-prompt policies (preconditioned L-BFGS from π_n, stopped when every
    /// gradient entry is below 1e-8): its KL, win rate and objective value, prompt-averaged. For SFT-BoN and vBoN, whose
    /// minimiser is π_n, the search only confirms that π_n is stationary.
    /// </summary>
    public static (double Kl, double WinRate, double Value) Optimum(MethodSpec spec, PromptSet prompts)
    {
        var objective = new PromptSetObjective(prompts, d => For(spec, d)!);
        var start = prompts.Prompts.SelectMany(d => Logits(Tilting.BestOfN(d, spec.N).Probabilities)).ToArray();
        var report = ObjectiveReport.Create(objective, prompts, spec.N, gradientTolerance: 1e-8, initialLogits: start);
        return (report.KlToBase, report.WinRate, objective.Value(Logits(report.Probabilities)));
    }

    /// <summary>log q, with a response that gets no mass scored at 1e-300 (log 0 would make every pair term infinite).</summary>
    private static double[] Logits(IEnumerable<double> probabilities) => probabilities.Select(q => Math.Log(Math.Max(q, 1e-300))).ToArray();
}
