using AlignLab.Dsl.Scripting;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace AlignLab.Cli.Scripting;

/// <summary>
/// Runs a <c>.csx</c> script with Roslyn scripting: AlignLab assemblies referenced and their namespaces imported
/// (<see cref="ScriptReferences"/>), <c>#load</c>/<c>#r</c> of local files resolved relative to the script's folder, the
/// <see cref="ScriptContext"/> as globals (so the script reads <c>Args</c>, <c>OutputDirectory</c>, <c>Log(...)</c>
/// directly), and debug information so an exception names the script line.
/// </summary>
public static class CSharpScriptHost
{
    /// <summary>
    /// Compiles and runs the script at <see cref="ScriptContext.ScriptPath"/>. Compile errors and exceptions go to
    /// <paramref name="error"/> in the compiler's format; returns an exit code from <see cref="ExitCodes"/>.
    /// </summary>
    public static async Task<int> RunAsync(ScriptContext context, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        string path = context.ScriptPath;
        string folder = Path.GetDirectoryName(path)!;
        var options = ScriptReferences.CSharpOptions(folder).WithFilePath(path);

        try
        {
            var script = CSharpScript.Create(await File.ReadAllTextAsync(path, context.CancellationToken), options, typeof(ScriptContext));
            var errors = script.Compile(context.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                foreach (var diagnostic in errors) error.WriteLine(Format(diagnostic, path));
                return ExitCodes.Failure;
            }
            // Set inside this async method, the context is seen by the script and undone for the caller on return.
            ScriptContext.Current = context;
            // The script runs on this thread (until its first await), where Ctrl-C can interrupt it.
            return ScriptInterruption.Run(() =>
            {
                var state = script.RunAsync(context, _ => true, context.CancellationToken).GetAwaiter().GetResult();
                return state.Exception is null ? ExitCodes.Success : ScriptOutcome.Report(state.Exception, context, ".csx", error);
            }, context.CancellationToken, error);
        }
        catch (OperationCanceledException e) when (context.CancellationToken.IsCancellationRequested)
        {
            return ScriptOutcome.ReportCancelled(e, context, error);
        }
    }

    private static string Format(Diagnostic diagnostic, string scriptPath)
    {
        if (!diagnostic.Location.IsInSource) return $"{scriptPath}: error {diagnostic.Id}: {diagnostic.GetMessage()}";
        var span = diagnostic.Location.GetMappedLineSpan();
        string file = string.IsNullOrEmpty(span.Path) ? scriptPath : span.Path;
        return ScriptErrors.CompileError(file, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, diagnostic.Id, diagnostic.GetMessage());
    }
}
