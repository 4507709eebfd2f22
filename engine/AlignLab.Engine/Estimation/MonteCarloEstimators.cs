using static TorchSharp.torch;

namespace AlignLab.Engine.Estimation;

/// <summary>
/// Estimators from samples: the mean of per-row terms t with its standard error. Rows are prompt-major with
/// m = <c>samplesPerPrompt</c> rows per prompt (row k·m + j is sample j of prompt k), and the estimate is the uniform
/// average over the K prompts. The prompts are a fixed set weighted equally, so the standard error is that of a
/// stratified mean (<see cref="Stratified"/>); with m = 1 the within-prompt variance cannot be measured and the plain
/// i.i.d. s/√K is used instead (<see cref="MeanOf"/>), which also counts the spread between prompts and so is conservative.
/// </summary>
public static class MonteCarloEstimators
{
    /// <summary>E[v] from values [K·m] (e.g. rewards of the policy's samples: expected reward; or an off-target attribute).</summary>
    public static Estimate Mean(Tensor values, int samplesPerPrompt = 1) =>
        Stratified(ToArray(values, nameof(values)), samplesPerPrompt);

    /// <summary>
    /// Win rate of the policy against the base under a reward (THEORY.md §2), ties counted half: row i pairs a policy
    /// sample's reward with an independent base sample's reward for the same prompt, w_i = 1[r_i &gt; r'_i] + ½·1[r_i = r'_i].
    /// </summary>
    public static Estimate WinRate(Tensor policyRewards, Tensor baseRewards, int samplesPerPrompt = 1)
    {
        var a = ToArray(policyRewards, nameof(policyRewards));
        var b = ToArray(baseRewards, nameof(baseRewards));
        if (a.Length != b.Length)
            throw new ArgumentException($"policyRewards has {a.Length} rows but baseRewards has {b.Length}; batch sizes must match.", nameof(baseRewards));
        return Stratified(a.Zip(b, (x, y) => x > y ? 1.0 : x == y ? 0.5 : 0.0).ToArray(), samplesPerPrompt);
    }

    /// <summary>
    /// KL(π‖p) = E_{y~π}[log π(y) − log p(y)] from the policy's own samples: <paramref name="policyLogProbs"/> and
    /// <paramref name="baseLogProbs"/> [K·m] are log π(y_i|x_i) and log p(y_i|x_i) of samples y_i ~ π.
    /// </summary>
    public static Estimate Kl(Tensor policyLogProbs, Tensor baseLogProbs, int samplesPerPrompt = 1)
    {
        var a = ToArray(policyLogProbs, nameof(policyLogProbs));
        var b = ToArray(baseLogProbs, nameof(baseLogProbs));
        if (a.Length != b.Length)
            throw new ArgumentException($"policyLogProbs has {a.Length} rows but baseLogProbs has {b.Length}; batch sizes must match.", nameof(baseLogProbs));
        return Stratified(a.Zip(b, (x, y) => x - y).ToArray(), samplesPerPrompt);
    }

    /// <summary>The sample mean of i.i.d. <paramref name="terms"/> with standard error s/√M (s the sample standard deviation, M the terms; ∞ for one term).</summary>
    public static Estimate MeanOf(IReadOnlyList<double> terms)
    {
        CheckTerms(terms);
        double mean = terms.Average();
        if (terms.Count == 1) return new Estimate(mean, double.PositiveInfinity, 1);
        double variance = terms.Sum(t => (t - mean) * (t - mean)) / (terms.Count - 1);
        return new Estimate(mean, Math.Sqrt(variance / terms.Count), terms.Count);
    }

    /// <summary>
    /// The stratified mean of prompt-major <paramref name="terms"/> t_{k,j} (K prompts × m = <paramref name="samplesPerPrompt"/>):
    /// value (1/K)·Σ_k t̄_k with t̄_k the mean of prompt k's terms, and standard error
    /// SE² = Σ_k s_k² / (m·K²), s_k² = Σ_j (t_{k,j} − t̄_k)² / (m − 1) the within-prompt sample variance — the variance
    /// of the average when the prompts are fixed and only the samples are random. With m = 1 this is <see cref="MeanOf"/>
    /// (the i.i.d. s/√K, which treats the prompts as random as well).
    /// </summary>
    public static Estimate Stratified(IReadOnlyList<double> terms, int samplesPerPrompt)
    {
        CheckTerms(terms);
        int m = samplesPerPrompt;
        if (m < 1) throw new ArgumentException($"samplesPerPrompt must be >= 1 (got {m}).", nameof(samplesPerPrompt));
        if (terms.Count % m != 0)
            throw new ArgumentException($"{terms.Count} terms are not a whole number of prompts of {m} samples each.", nameof(terms));
        if (m == 1) return MeanOf(terms);
        int k = terms.Count / m;
        double total = 0, varianceSum = 0;
        for (int p = 0; p < k; p++)
        {
            double mean = 0;
            for (int j = 0; j < m; j++) mean += terms[p * m + j];
            mean /= m;
            double squares = 0;
            for (int j = 0; j < m; j++) squares += (terms[p * m + j] - mean) * (terms[p * m + j] - mean);
            total += mean;
            varianceSum += squares / (m - 1);
        }
        return new Estimate(total / k, Math.Sqrt(varianceSum / ((double)m * k * k)), terms.Count);
    }

    private static void CheckTerms(IReadOnlyList<double> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count == 0) throw new ArgumentException("At least one sample is needed (got 0).", nameof(terms));
        for (int i = 0; i < terms.Count; i++)
            if (!double.IsFinite(terms[i])) throw new ArgumentException($"terms[{i}] is {terms[i]}, not finite.", nameof(terms));
    }

    private static double[] ToArray(Tensor values, string name)
    {
        if (values.dim() != 1) throw new ArgumentException($"{name} must be one-dimensional [M] (got [{string.Join(", ", values.shape)}]).", name);
        using var cpu = values.detach().to(ScalarType.Float64).cpu();
        return cpu.data<double>().ToArray();
    }
}
