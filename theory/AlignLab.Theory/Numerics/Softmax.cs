namespace AlignLab.Theory;

/// <summary>
/// The softmax of a finite distribution's log-weights, the one implementation used by the tiltings, the tabular
/// objectives and the engine's exact enumeration: π_i = exp(w_i − max_j w_j) / Σ_k exp(w_k − max_j w_j) (shifting by
/// the maximum keeps every exponent ≤ 0, so nothing overflows). Weights of −∞ get probability 0; at least one weight
/// must be finite.
/// </summary>
public static class Softmax
{
    /// <summary>π_i = exp(w_i) / Σ_k exp(w_k), computed with the maximum shifted out; −∞ weights give 0.</summary>
    public static double[] Probabilities(IReadOnlyList<double> logWeights)
    {
        double max = Maximum(logWeights);
        var p = new double[logWeights.Count];
        double sum = 0.0;
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = double.IsNegativeInfinity(logWeights[i]) ? 0.0 : Math.Exp(logWeights[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.Length; i++) p[i] /= sum;
        return p;
    }

    /// <summary>log π_i = w_i − logsumexp(w), with logsumexp(w) = max + log Σ_k exp(w_k − max); −∞ weights stay −∞.</summary>
    public static double[] LogProbabilities(IReadOnlyList<double> logWeights)
    {
        double max = Maximum(logWeights);
        double sum = 0.0;
        foreach (double w in logWeights) sum += Math.Exp(w - max);
        double logZ = max + Math.Log(sum);
        return logWeights.Select(w => w - logZ).ToArray();
    }

    private static double Maximum(IReadOnlyList<double> logWeights)
    {
        ArgumentChecks.NotNull(logWeights, nameof(logWeights));
        double max = double.NegativeInfinity;
        foreach (double w in logWeights) if (w > max) max = w;
        if (!double.IsFinite(max))
            throw new ArgumentException($"logWeights must have a finite maximum (got {max}).", nameof(logWeights));
        return max;
    }
}
