using AlignLab.Dsl.Scripting;
using FSharp.Compiler.Diagnostics;
using static FSharp.Compiler.Interactive.Shell;
using Microsoft.FSharp.Core;

namespace AlignLab.Cli.Scripting;

/// <summary>
/// Runs an <c>.fsx</c> script in-process with the F# compiler service (<see cref="FsiEvaluationSession"/>), with the
/// AlignLab assemblies referenced (<c>-r:</c>). The script reads its <see cref="ScriptContext"/> through
/// <see cref="ScriptContext.Current"/>. Start-up of the F# compiler takes a few seconds.
/// </summary>
public static class FSharpScriptHost
{
    /// <summary>
    /// Evaluates the script at <see cref="ScriptContext.ScriptPath"/>. Compile errors and exceptions go to
    /// <paramref name="error"/> in the compiler's format; returns an exit code from <see cref="ExitCodes"/>.
    /// Ctrl-C stops it (<see cref="ScriptInterruption"/>).
    /// </summary>
    public static int Run(ScriptContext context, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        string[] argv =
        [
            "fsi.exe", "--noninteractive", "--nologo", "--quiet", "--gui-", "--debug+", "--optimize-",
            .. ScriptReferences.Assemblies.Select(a => $"-r:{a.Location}"),
        ];
        // fsi's own echo is not wanted, and its diagnostics come back from EvalScriptNonThrowing, so both writers are null.
        using var session = FsiEvaluationSession.Create(
            FsiEvaluationSession.GetDefaultConfiguration(), argv, TextReader.Null, TextWriter.Null, TextWriter.Null,
            collectible: FSharpOption<bool>.Some(false), legacyReferenceResolver: null);
        // Run in a copy of the execution context: ScriptContext.Current is set for the script and gone for the caller.
        int exitCode = ExitCodes.Failure;
        ExecutionContext.Run(ExecutionContext.Capture()!, _ =>
        {
            ScriptContext.Current = context;
            exitCode = ScriptInterruption.Run(() => Evaluate(session, context, error), context.CancellationToken, error);
        }, null);
        return exitCode;
    }

    private static int Evaluate(FsiEvaluationSession session, ScriptContext context, TextWriter error)
    {
        var (result, diagnostics) = session.EvalScriptNonThrowing(context.ScriptPath);
        var errors = diagnostics.Where(d => d.Severity == FSharpDiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            foreach (var d in errors)
                error.WriteLine(ScriptErrors.CompileError(d.FileName, d.StartLine, d.StartColumn + 1, d.ErrorNumberText, OneLine(d.Message)));
            return ExitCodes.Failure;
        }
        if (result is FSharpChoice<Unit, Exception>.Choice2Of2 failure) return ScriptOutcome.Report(failure.Item, context, ".fsx", error);
        if (context.CancellationToken.IsCancellationRequested) return ScriptOutcome.ReportCancelled(null, context, error);
        return ExitCodes.Success;
    }

    // F# messages span lines ("expected to have type\n 'int'\n but here ..."); one line per error keeps the format greppable.
    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
