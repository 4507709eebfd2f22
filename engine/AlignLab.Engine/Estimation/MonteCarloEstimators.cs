using static TorchSharp.torch;

namespace AlignLab.Engine.Estimation;

/// <summary>
/// Estimators from samples, each a sample mean of i.i.d. per-row terms with standard error s/√M (s the sample
/// standard deviation, M the rows). With several prompts and the same number of rows per prompt, the mean is the
/// uniform average over prompts and s/√M is a slightly conservative standard error (it ignores the stratification).
/// </summary>
public static class MonteCarloEstimators
{
    /// <summary>E[v] from values [M] (e.g. rewards of the policy's samples: expected reward; or an off-target attribute).</summary>
    public static Estimate Mean(Tensor values)
    {
        var v = ToArray(values, nameof(values));
        return MeanOf(v);
    }

    /// <summary>
    /// Win rate of the policy against the base under a reward (THEORY.md §2), ties counted half: row i pairs a policy
    /// sample's reward with an independent base sample's reward for the same prompt, w_i = 1[r_i &gt; r'_i] + ½·1[r_i = r'_i].
    /// </summary>
    public static Estimate WinRate(Tensor policyRewards, Tensor baseRewards)
    {
        var a = ToArray(policyRewards, nameof(policyRewards));
        var b = ToArray(baseRewards, nameof(baseRewards));
        if (a.Length != b.Length)
            throw new ArgumentException($"policyRewards has {a.Length} rows but baseRewards has {b.Length}; batch sizes must match.", nameof(baseRewards));
        return MeanOf(a.Zip(b, (x, y) => x > y ? 1.0 : x == y ? 0.5 : 0.0).ToArray());
    }

    /// <summary>
    /// KL(π‖p) = E_{y~π}[log π(y) − log p(y)] from the policy's own samples: <paramref name="policyLogProbs"/> and
    /// <paramref name="baseLogProbs"/> [M] are log π(y_i|x_i) and log p(y_i|x_i) of samples y_i ~ π.
    /// </summary>
    public static Estimate Kl(Tensor policyLogProbs, Tensor baseLogProbs)
    {
        var a = ToArray(policyLogProbs, nameof(policyLogProbs));
        var b = ToArray(baseLogProbs, nameof(baseLogProbs));
        if (a.Length != b.Length)
            throw new ArgumentException($"policyLogProbs has {a.Length} rows but baseLogProbs has {b.Length}; batch sizes must match.", nameof(baseLogProbs));
        return MeanOf(a.Zip(b, (x, y) => x - y).ToArray());
    }

    /// <summary>The sample mean of <paramref name="terms"/> with standard error s/√M.</summary>
    public static Estimate MeanOf(IReadOnlyList<double> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0) throw new ArgumentException("At least one sample is needed (got 0).", nameof(terms));
        for (int i = 0; i < terms.Count; i++)
            if (!double.IsFinite(terms[i])) throw new ArgumentException($"terms[{i}] is {terms[i]}, not finite.", nameof(terms));
        double mean = terms.Average();
        if (terms.Count == 1) return new Estimate(mean, double.PositiveInfinity, 1);
        double variance = terms.Sum(t => (t - mean) * (t - mean)) / (terms.Count - 1);
        return new Estimate(mean, Math.Sqrt(variance / terms.Count), terms.Count);
    }

    private static double[] ToArray(Tensor values, string name)
    {
        if (values.dim() != 1) throw new ArgumentException($"{name} must be one-dimensional [M] (got [{string.Join(", ", values.shape)}]).", name);
        using var cpu = values.detach().to(ScalarType.Float64).cpu();
        return cpu.data<double>().ToArray();
    }
}
