namespace AlignLab.Dsl;

/// <summary>
/// Thrown by <see cref="Experiment.Run()"/> under an <see cref="ExperimentSweep"/> once it has done its part (listed the
/// rows, computed or skipped one row, collected the run), to end the script there: the rest of a script works on a whole
/// run's result, which one part of a sweep does not have. Script hosts treat it as a successful end.
/// </summary>
public sealed class SweepStepDoneException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/> saying what was done.</summary>
    public SweepStepDoneException(string message) : base(message)
    {
    }
}
