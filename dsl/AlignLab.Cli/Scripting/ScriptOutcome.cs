using AlignLab.Dsl;
using AlignLab.Dsl.Scripting;
using AlignLab.Engine.Training;

namespace AlignLab.Cli.Scripting;

/// <summary>Turns how a script ended into a report on stderr and an exit code, the same way for C# and F#.</summary>
public static class ScriptOutcome
{
    /// <summary>
    /// Reports an exception thrown by the script: a cancellation after Ctrl-C gives <see cref="ExitCodes.Cancelled"/>
    /// (<see cref="ReportCancelled(Exception?, ScriptContext, TextWriter)"/>), anything else one
    /// <see cref="ScriptErrors.RuntimeError"/> line and <see cref="ExitCodes.Failure"/>. Under a sweep
    /// (<see cref="ScriptContext.Sweep"/>) the experiment's <see cref="SweepStepDoneException"/> is a success (its message
    /// logged) and an unknown row key one line and <see cref="ExitCodes.InvalidInput"/>.
    /// </summary>
    public static int Report(Exception exception, ScriptContext context, string scriptExtension, TextWriter error)
    {
        switch (ScriptErrors.Unwrap(exception))
        {
            case OperationCanceledException cancelled when context.CancellationToken.IsCancellationRequested:
                return ReportCancelled(cancelled, context, error);
            // Under a sweep the experiment ends the script once it has done its part; that is success.
            case SweepStepDoneException done when context.Sweep is not null:
                context.Log($"alignlab: {done.Message}");
                return ExitCodes.Success;
            case UnknownRowException unknown when context.Sweep is not null:
                error.WriteLine($"alignlab run: {unknown.Message}");
                return ExitCodes.InvalidInput;
        }
        error.WriteLine(ScriptErrors.RuntimeError(exception, context.ScriptPath, scriptExtension));
        return ExitCodes.Failure;
    }

    /// <summary>Reports an interrupted run and returns <see cref="ExitCodes.Cancelled"/>.</summary>
    public static int ReportCancelled(TextWriter error)
    {
        error.WriteLine("alignlab: cancelled.");
        return ExitCodes.Cancelled;
    }

    /// <summary>
    /// Reports a run stopped by Ctrl-C in one line, saying what was saved and how to resume when the script's
    /// <paramref name="cancellation"/> knows: an experiment names its run and the <c>--resume</c> command line, a
    /// training loop its checkpoint. Returns <see cref="ExitCodes.Cancelled"/>.
    /// </summary>
    public static int ReportCancelled(Exception? cancellation, ScriptContext context, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (cancellation)
        {
            case ExperimentCancelledException experiment:
                error.WriteLine($"alignlab: cancelled: {experiment.Message}. Resume with: {ResumeCommand(context, experiment.RunId)}");
                return ExitCodes.Cancelled;
            case TrainingCancelledException { CheckpointPath: not null } training:
                error.WriteLine($"alignlab: cancelled: {training.Message}. Run the same command again to continue from it.");
                return ExitCodes.Cancelled;
            default:
                return ReportCancelled(error);
        }
    }

    /// <summary>The command line that continues run <paramref name="runId"/>: the script, its arguments and <c>--resume RUN</c>.</summary>
    public static string ResumeCommand(ScriptContext context, string runId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var words = new List<string> { "alignlab", "run", context.ScriptPath };
        foreach (var (key, value) in context.Args) words.AddRange(["--set", $"{key}={value}"]);
        if (context.OutputDirectory != Path.GetFullPath(ScriptContext.DefaultOutputDirectory(context.ScriptPath))) words.AddRange(["--out", context.OutputDirectory]);
        words.AddRange(["--resume", runId]);
        return string.Join(' ', words.Select(Quote));
    }

    /// <summary>POSIX shell quoting of one word, so a printed command (or a generated job script) can be pasted back.</summary>
    internal static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:+,@".Contains(c)) ? word : "'" + word.Replace("'", "'\\''") + "'";
}
