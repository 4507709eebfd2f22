using System.Diagnostics;
using System.Reflection;

namespace AlignLab.Cli.Scripting;

/// <summary>Formats script failures in the compiler's style, so editors and CI can jump to them.</summary>
public static class ScriptErrors
{
    /// <summary>A compile diagnostic: <c>path(line,col): error CODE: message</c>, line and column 1-based.</summary>
    public static string CompileError(string path, int line, int column, string code, string message) =>
        $"{path}({line},{column}): error {code}: {message}";

    /// <summary>
    /// An exception thrown while a script ran: <c>path(line): error: ExceptionType: message</c>, where path and line are
    /// the innermost stack frame in a file with extension <paramref name="scriptExtension"/> (the script or a file it
    /// loaded); <paramref name="scriptPath"/> without a line when no such frame has line information.
    /// </summary>
    public static string RuntimeError(Exception exception, string scriptPath, string scriptExtension)
    {
        var inner = Unwrap(exception);
        string where = scriptPath;
        foreach (var frame in new StackTrace(inner, fNeedFileInfo: true).GetFrames())
        {
            var file = frame.GetFileName();
            if (file is null || frame.GetFileLineNumber() <= 0 || !file.EndsWith(scriptExtension, StringComparison.OrdinalIgnoreCase)) continue;
            where = $"{file}({frame.GetFileLineNumber()})";
            break;
        }
        return $"{where}: error: {inner.GetType().FullName}: {inner.Message}";
    }

    /// <summary>The exception that the script's own code threw, without reflection or task wrappers.</summary>
    public static Exception Unwrap(Exception exception)
    {
        while (true)
        {
            switch (exception)
            {
                case TargetInvocationException { InnerException: { } inner }: exception = inner; break;
                case AggregateException { InnerExceptions.Count: 1 } aggregate: exception = aggregate.InnerExceptions[0]; break;
                default: return exception;
            }
        }
    }
}
