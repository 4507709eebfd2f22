namespace AlignLab.Theory.Objectives;

/// <summary>Argument checks and logarithms shared by the tabular objectives (their softmax is <see cref="Softmax"/>).</summary>
internal static class TabularLogits
{
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
