using AlignLab.Dsl;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// "Ctrl-C" in the middle of a row, for the resume tests: runs an experiment with progress on and cancels it when
/// <paramref name="row"/>'s first progress line is written, then returns the cancellation the run threw.
/// </summary>
internal static class CtrlC
{
    public static ExperimentCancelledException AtFirstProgressOf(string row, Experiment experiment)
    {
        using var cancellation = new CancellationTokenSource();
        var console = Console.Error;
        try
        {
            Console.SetError(new CancelOnWrite(row, cancellation));
            return Assert.Throws<ExperimentCancelledException>(() => experiment.WithProgress(true).Run(null, cancellation.Token));
        }
        finally
        {
            Console.SetError(console);
        }
    }

    private sealed class CancelOnWrite(string row, CancellationTokenSource cancellation) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            if (value is not null && value.StartsWith(row, StringComparison.Ordinal) && value.Contains("step")) cancellation.Cancel();
            base.WriteLine(value);
        }
    }
}
