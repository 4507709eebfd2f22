namespace AlignLab.Dsl;

/// <summary>The columns every experiment table shares: the row's method and parameters first, training figures last.</summary>
internal static class ExperimentTable
{
    /// <summary>
    /// A new table row: method, kind, n, α (the rule's choice for BoNBoN with the authors' rule), β (null where the method
    /// has no such parameter), steps.
    /// </summary>
    public static Dictionary<string, object?> Start(ExperimentRow r) => new(StringComparer.Ordinal)
    {
        ["method"] = r.Method,
        ["kind"] = r.Spec.KindName,
        ["n"] = r.Spec.UsesN ? r.Spec.N : null,
        ["alpha"] = r.Spec.UsesAlpha ? Value(r.Spec.AlphaByRule ? r.RuleAlpha : r.Spec.Alpha) : null,
        ["beta"] = r.Spec.UsesBeta ? r.Spec.Beta : null,
        ["steps"] = r.Steps,
    };

    /// <summary>Adds the last training loss and the training time.</summary>
    public static void Finish(Dictionary<string, object?> row, ExperimentRow r)
    {
        row["final_loss"] = Value(r.FinalLoss);
        row["train_seconds"] = r.TrainSeconds;
    }

    /// <summary>A figure as a table cell: null (an empty cell) when it is not a finite number.</summary>
    public static object? Value(double x) => double.IsFinite(x) ? x : null;
}
