using AlignLab.Dsl.Scripting;

namespace AlignLab.Cli.Scripting;

/// <summary>Turns how a script ended into a report on stderr and an exit code, the same way for C# and F#.</summary>
public static class ScriptOutcome
{
    /// <summary>
    /// Reports an exception thrown by the script: a cancellation after Ctrl-C gives <see cref="ExitCodes.Cancelled"/>,
    /// anything else one <see cref="ScriptErrors.RuntimeError"/> line and <see cref="ExitCodes.Failure"/>.
    /// </summary>
    public static int Report(Exception exception, ScriptContext context, string scriptExtension, TextWriter error)
    {
        if (ScriptErrors.Unwrap(exception) is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
            return ReportCancelled(error);
        error.WriteLine(ScriptErrors.RuntimeError(exception, context.ScriptPath, scriptExtension));
        return ExitCodes.Failure;
    }

    /// <summary>Reports an interrupted run and returns <see cref="ExitCodes.Cancelled"/>.</summary>
    public static int ReportCancelled(TextWriter error)
    {
        error.WriteLine("alignlab: cancelled.");
        return ExitCodes.Cancelled;
    }
}
