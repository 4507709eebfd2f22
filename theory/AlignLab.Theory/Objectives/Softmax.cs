namespace AlignLab.Theory.Objectives;

/// <summary>Softmax helpers shared by the tabular objectives.</summary>
internal static class Softmax
{
    public static double[] LogProbabilities(IReadOnlyList<double> logits)
    {
        var max = logits.Max();
        var logZ = max + Math.Log(logits.Sum(t => Math.Exp(t - max)));
        return logits.Select(t => t - logZ).ToArray();
    }

    public static double[] Probabilities(IReadOnlyList<double> logits) => LogProbabilities(logits).Select(l => Math.Exp(l)).ToArray();

    public static void CheckLogits(IReadOnlyList<double> logits, int dimension)
    {
        ArgumentChecks.NotNull(logits, nameof(logits));
        if (logits.Count != dimension)
            throw new ArgumentException($"logits has {logits.Count} entries but the objective has {dimension}.", nameof(logits));
        ArgumentChecks.AllFinite(logits, nameof(logits));
    }

    /// <summary>log x with log 0 = −∞ kept (0·log 0 terms are skipped by callers).</summary>
    public static double[] Log(IReadOnlyList<double> values) => values.Select(v => Math.Log(v)).ToArray();
}
