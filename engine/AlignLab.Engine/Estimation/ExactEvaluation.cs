using AlignLab.Engine.Rewards;
using AlignLab.Engine.Tasks;
using AlignLab.Models;
using AlignLab.Theory;

namespace AlignLab.Engine.Estimation;

/// <summary>
/// Exact values by enumeration (THEORY.md §9): every response of an <see cref="IEnumerableTask"/> is scored under the
/// policy and the base, and the theory module's <see cref="Measures"/> sum over them. Aggregates are uniform averages
/// over prompts.
/// </summary>
public static class ExactEvaluation
{
    /// <summary>
    /// W(π), KL(π‖p), E_π[r] and E_π[<paramref name="offTarget"/>] of <paramref name="policy"/> against
    /// <paramref name="basePolicy"/>, summed over every response of every prompt.
    /// </summary>
    public static ExactMetrics Evaluate(IEnumerableTask task, ISequencePolicy policy, ISequencePolicy basePolicy, IRewardFunction? offTarget = null)
    {
        int prompts = Enumeration.PromptCount(task);
        double win = 0, kl = 0, reward = 0, attribute = 0;
        for (int k = 0; k < prompts; k++)
        {
            var baseDistribution = Enumeration.BaseDistribution(task, basePolicy, k);
            var pi = Enumeration.Probabilities(task, policy, k);
            win += Measures.WinRate(baseDistribution, pi);
            kl += Measures.Kl(pi, baseDistribution.Probabilities);
            reward += Dot(pi, baseDistribution.Rewards);
            if (offTarget is not null) attribute += Dot(pi, Enumeration.Values(task, offTarget, k));
        }
        return new ExactMetrics(win / prompts, kl / prompts, reward / prompts, offTarget is null ? double.NaN : attribute / prompts);
    }

    /// <summary>
    /// The same measures for a policy given by its exact probabilities per prompt (e.g. the theory module's
    /// <c>Tilting.BestOfN</c> of each prompt's base distribution), against the base distributions of <paramref name="prompts"/>.
    /// </summary>
    public static ExactMetrics Evaluate(PromptSet prompts, IReadOnlyList<IReadOnlyList<double>> policyProbabilities, IReadOnlyList<IReadOnlyList<double>>? offTargetValues = null)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(policyProbabilities);
        if (policyProbabilities.Count != prompts.Count)
            throw new ArgumentException($"policyProbabilities has {policyProbabilities.Count} prompts but the prompt set has {prompts.Count}.", nameof(policyProbabilities));
        double win = 0, kl = 0, reward = 0, attribute = 0;
        for (int k = 0; k < prompts.Count; k++)
        {
            var d = prompts.Prompts[k];
            var pi = policyProbabilities[k];
            win += prompts.Weights[k] * Measures.WinRate(d, pi);
            kl += prompts.Weights[k] * Measures.Kl(pi, d.Probabilities);
            reward += prompts.Weights[k] * Dot(pi, d.Rewards);
            if (offTargetValues is not null) attribute += prompts.Weights[k] * Dot(pi, offTargetValues[k]);
        }
        return new ExactMetrics(win, kl, reward, offTargetValues is null ? double.NaN : attribute);
    }

    private static double Dot(IReadOnlyList<double> p, IReadOnlyList<double> v)
    {
        double s = 0;
        for (int i = 0; i < p.Count; i++) s += p[i] * v[i];
        return s;
    }
}
