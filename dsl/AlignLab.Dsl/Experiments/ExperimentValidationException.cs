namespace AlignLab.Dsl;

/// <summary>
/// Thrown by <see cref="Experiment.Run()"/> (before any training) when <see cref="Experiment.Validate"/> finds problems;
/// the message lists each one with what to change.
/// </summary>
public sealed class ExperimentValidationException : ArgumentException
{
    /// <summary>Creates the exception for experiment <paramref name="experiment"/> and its <paramref name="problems"/>.</summary>
    public ExperimentValidationException(string experiment, IReadOnlyList<string> problems)
        : base($"Experiment '{experiment}' is invalid ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
               + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
    {
        Problems = problems;
    }

    /// <summary>Each problem, one sentence naming it and what to change.</summary>
    public IReadOnlyList<string> Problems { get; }
}
