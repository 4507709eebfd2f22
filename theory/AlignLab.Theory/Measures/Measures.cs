namespace AlignLab.Theory;

/// <summary>
/// Exact quantities of policies over a finite base (THEORY.md §2): win rates with ties counted half, KL both ways,
/// Jeffreys, BOND's J_β mixture, expected reward and its standard deviation; over a <see cref="PromptSet"/> each is the
/// prompt-weighted average.
/// </summary>
public static class Measures
{
    /// <summary>W(π) = Σ_y π(y) s(y): the probability that a sample of π beats a base sample, ties half. W(p) = ½.</summary>
    public static double WinRate(DiscretePolicy policy)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        return Dot(policy.ProbabilityArray, policy.Base.WinScore);
    }

    /// <summary>W(π) = Σ_y π(y) s(y) for a probability vector π over the outcomes of <paramref name="baseDistribution"/>.</summary>
    /// <exception cref="ArgumentException">π has the wrong length or an invalid entry.</exception>
    public static double WinRate(RewardDistribution baseDistribution, IReadOnlyList<double> policyProbabilities)
    {
        var pi = CheckPolicy(baseDistribution, policyProbabilities, nameof(policyProbabilities));
        return Dot(pi, baseDistribution.WinScore);
    }

    /// <summary>
    /// P(a beats b) = Σ_{y,y'} a(y) b(y') [1(r(y) &gt; r(y')) + ½·1(r(y) = r(y'))]: the win score of a against b's own
    /// reward CDF. W(a, b) + W(b, a) = 1.
    /// </summary>
    /// <exception cref="ArgumentException">The policies are over different outcomes or rewards.</exception>
    public static double WinRate(DiscretePolicy a, DiscretePolicy b)
    {
        ArgumentChecks.NotNull(a, nameof(a));
        ArgumentChecks.NotNull(b, nameof(b));
        var ra = a.Base.RewardArray;
        var rb = b.Base.RewardArray;
        if (ra.Length != rb.Length)
            throw new ArgumentException($"a has {ra.Length} outcomes but b has {rb.Length}; both must share one base.", nameof(b));
        for (int i = 0; i < ra.Length; i++)
            if (ra[i] != rb[i])
                throw new ArgumentException(
                    $"b's rewards[{i}] = {ArgumentChecks.Show(rb[i])} differs from a's {ArgumentChecks.Show(ra[i])}; both must share one base.",
                    nameof(b));
        var levels = a.Base.Levels;
        var bMass = new double[levels.Count];
        var bProbs = b.ProbabilityArray;
        for (int i = 0; i < bProbs.Length; i++) bMass[levels.LevelOf[i]] += bProbs[i];
        var score = new double[levels.Count];
        double below = 0.0;
        for (int l = 0; l < levels.Count; l++)
        {
            score[l] = below + 0.5 * bMass[l];
            below += bMass[l];
        }
        double w = 0.0;
        var aProbs = a.ProbabilityArray;
        for (int i = 0; i < aProbs.Length; i++) w += aProbs[i] * score[levels.LevelOf[i]];
        return w;
    }

    /// <summary>
    /// KL(p‖q) = Σ_i p_i log(p_i / q_i), with 0·log 0 = 0 and +∞ when p has mass where q has none.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ or an entry is negative or not finite.</exception>
    public static double Kl(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        ArgumentChecks.NotNull(p, nameof(p));
        ArgumentChecks.NotNull(q, nameof(q));
        ArgumentChecks.SameLength(p, nameof(p), q, nameof(q));
        ArgumentChecks.AllFiniteNonNegative(p, nameof(p));
        ArgumentChecks.AllFiniteNonNegative(q, nameof(q));
        return KlUnchecked(p, q);
    }

    /// <summary>KL(π‖p), the divergence of the policy from its base (THEORY.md §2).</summary>
    public static double Kl(DiscretePolicy policy)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        return KlUnchecked(policy.ProbabilityArray, policy.Base.ProbabilityArray);
    }

    /// <summary>KL(π‖p) for a probability vector π over the outcomes of <paramref name="baseDistribution"/>.</summary>
    public static double Kl(RewardDistribution baseDistribution, IReadOnlyList<double> policyProbabilities)
    {
        var pi = CheckPolicy(baseDistribution, policyProbabilities, nameof(policyProbabilities));
        return KlUnchecked(pi, baseDistribution.ProbabilityArray);
    }

    /// <summary>The reverse KL(p‖π) of the base from the policy.</summary>
    public static double ReverseKl(DiscretePolicy policy)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        return KlUnchecked(policy.Base.ProbabilityArray, policy.ProbabilityArray);
    }

    /// <summary>KL(p‖π) for a probability vector π over the outcomes of <paramref name="baseDistribution"/>.</summary>
    public static double ReverseKl(RewardDistribution baseDistribution, IReadOnlyList<double> policyProbabilities)
    {
        var pi = CheckPolicy(baseDistribution, policyProbabilities, nameof(policyProbabilities));
        return KlUnchecked(baseDistribution.ProbabilityArray, pi);
    }

    /// <summary>Jeffreys divergence J(p, q) = KL(p‖q) + KL(q‖p).</summary>
    public static double Jeffreys(IReadOnlyList<double> p, IReadOnlyList<double> q) => Kl(p, q) + Kl(q, p);

    /// <summary>Jeffreys divergence of a policy and its base, J = KL(π‖p) + KL(p‖π).</summary>
    public static double Jeffreys(DiscretePolicy policy) => Kl(policy) + ReverseKl(policy);

    /// <summary>
    /// BOND's mixture (THEORY.md §2, §6): J_β(π) = (1 − β)·KL(target‖π) + β·KL(π‖target), β ∈ [0, 1]; a term with weight
    /// 0 is left out, so an infinite KL it would multiply does not make the result NaN.
    /// </summary>
    /// <exception cref="ArgumentException">β is outside [0, 1] or the policies are over different numbers of outcomes.</exception>
    public static double BondMixture(DiscretePolicy policy, DiscretePolicy target, double beta)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        ArgumentChecks.NotNull(target, nameof(target));
        ArgumentChecks.UnitInterval(beta, nameof(beta));
        ArgumentChecks.SameLength(policy.Probabilities, "policy's probabilities", target.Probabilities, nameof(target));
        double forward = beta < 1.0 ? (1.0 - beta) * KlUnchecked(target.ProbabilityArray, policy.ProbabilityArray) : 0.0;
        double backward = beta > 0.0 ? beta * KlUnchecked(policy.ProbabilityArray, target.ProbabilityArray) : 0.0;
        return forward + backward;
    }

    /// <summary>E_π[r] = Σ_y π(y) r(y).</summary>
    public static double ExpectedReward(DiscretePolicy policy)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        return Dot(policy.ProbabilityArray, policy.Base.RewardArray);
    }

    /// <summary>E_π[r] for a probability vector π over the outcomes of <paramref name="baseDistribution"/>.</summary>
    public static double ExpectedReward(RewardDistribution baseDistribution, IReadOnlyList<double> policyProbabilities)
    {
        var pi = CheckPolicy(baseDistribution, policyProbabilities, nameof(policyProbabilities));
        return Dot(pi, baseDistribution.RewardArray);
    }

    /// <summary>The standard deviation of r under π: sqrt(Σ_y π(y) (r(y) − E_π[r])²).</summary>
    public static double RewardStd(DiscretePolicy policy)
    {
        ArgumentChecks.NotNull(policy, nameof(policy));
        return Std(policy.ProbabilityArray, policy.Base.RewardArray);
    }

    /// <summary>The standard deviation of r under a probability vector π over the outcomes of <paramref name="baseDistribution"/>.</summary>
    public static double RewardStd(RewardDistribution baseDistribution, IReadOnlyList<double> policyProbabilities)
    {
        var pi = CheckPolicy(baseDistribution, policyProbabilities, nameof(policyProbabilities));
        return Std(pi, baseDistribution.RewardArray);
    }

    /// <summary>Σ_x w_x W(π_x): the prompt-weighted win rate against each prompt's base.</summary>
    /// <exception cref="ArgumentException">One probability vector per prompt is needed, each valid for its prompt (index named).</exception>
    public static double WinRate(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities) =>
        Aggregate(prompts, policyProbabilities, WinRate);

    /// <summary>Σ_x w_x KL(π_x‖p_x).</summary>
    public static double Kl(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities) =>
        Aggregate(prompts, policyProbabilities, Kl);

    /// <summary>Σ_x w_x KL(p_x‖π_x).</summary>
    public static double ReverseKl(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities) =>
        Aggregate(prompts, policyProbabilities, ReverseKl);

    /// <summary>Σ_x w_x [KL(π_x‖p_x) + KL(p_x‖π_x)].</summary>
    public static double Jeffreys(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities) =>
        Aggregate(prompts, policyProbabilities, (d, pi) => Kl(d, pi) + ReverseKl(d, pi));

    /// <summary>Σ_x w_x E_{π_x}[r_x].</summary>
    public static double ExpectedReward(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities) =>
        Aggregate(prompts, policyProbabilities, ExpectedReward);

    internal static double KlUnchecked(IReadOnlyList<double> p, IReadOnlyList<double> q)
    {
        double kl = 0.0;
        for (int i = 0; i < p.Count; i++)
        {
            double pi = p[i];
            if (pi == 0.0) continue;
            double qi = q[i];
            if (qi == 0.0) return double.PositiveInfinity;
            kl += pi * Math.Log(pi / qi);
        }
        // Rounding can leave a tiny negative sum when p ≈ q; KL is non-negative.
        return Math.Max(0.0, kl);
    }

    private static double Aggregate(
        PromptSet prompts,
        IReadOnlyList<IReadOnlyList<double>> policyProbabilities,
        Func<RewardDistribution, IReadOnlyList<double>, double> measure)
    {
        ArgumentChecks.NotNull(prompts, nameof(prompts));
        ArgumentChecks.NotNull(policyProbabilities, nameof(policyProbabilities));
        if (policyProbabilities.Count != prompts.Count)
            throw new ArgumentException(
                $"policyProbabilities has {policyProbabilities.Count} vectors but the prompt set has {prompts.Count} prompts.",
                nameof(policyProbabilities));
        double total = 0.0;
        for (int x = 0; x < prompts.Count; x++)
        {
            double value;
            try
            {
                value = measure(prompts.Prompts[x], policyProbabilities[x]);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"prompt {x}: {e.Message}", nameof(policyProbabilities), e);
            }
            total += prompts.Weights[x] * value;
        }
        return total;
    }

    private static double[] CheckPolicy(RewardDistribution baseDistribution, IReadOnlyList<double> probabilities, string name)
    {
        ArgumentChecks.NotNull(baseDistribution, nameof(baseDistribution));
        ArgumentChecks.NotNull(probabilities, name);
        ArgumentChecks.SameLength(baseDistribution.Probabilities, "the base's probabilities", probabilities, name);
        ArgumentChecks.ProbabilityVector(probabilities, name);
        return probabilities.ToArray();
    }

    private static double Dot(double[] a, IReadOnlyList<double> b)
    {
        double sum = 0.0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Std(double[] pi, double[] r)
    {
        double mean = Dot(pi, r);
        double variance = 0.0;
        for (int i = 0; i < pi.Length; i++) variance += pi[i] * (r[i] - mean) * (r[i] - mean);
        return Math.Sqrt(variance);
    }
}
