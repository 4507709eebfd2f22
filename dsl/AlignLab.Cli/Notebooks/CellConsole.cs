using System.Text;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// Sends what a notebook cell writes to <see cref="Console.Out"/> / <see cref="Console.Error"/> to that cell's capture.
/// The console writers are replaced once by routers that look up the capture of the current logical call flow
/// (<see cref="AsyncLocal{T}"/>), so a cell's output is captured even when other code writes to the console at the
/// same time (parallel tests), and everything else still reaches the original console.
/// </summary>
internal static class CellConsole
{
    private static readonly AsyncLocal<TextWriter?> outRoute = new();
    private static readonly AsyncLocal<TextWriter?> errorRoute = new();
    private static readonly Lock gate = new();
    private static TextWriter? installedOut, installedError;

    /// <summary>Where this flow's console output goes now: the running cell's capture, or null outside a cell.</summary>
    public static TextWriter? CurrentOut => outRoute.Value;

    /// <summary>Routes this flow's console output to <paramref name="output"/> and <paramref name="error"/> until disposed.</summary>
    public static IDisposable Capture(TextWriter output, TextWriter error)
    {
        lock (gate)
        {
            // Someone else may have called Console.SetOut since; wrap whatever is there now.
            if (!ReferenceEquals(Console.Out, installedOut))
            {
                Console.SetOut(new Router(Console.Out, outRoute));
                installedOut = Console.Out;
            }
            if (!ReferenceEquals(Console.Error, installedError))
            {
                Console.SetError(new Router(Console.Error, errorRoute));
                installedError = Console.Error;
            }
        }
        outRoute.Value = output;
        errorRoute.Value = error;
        return new Release();
    }

    private sealed class Release : IDisposable
    {
        public void Dispose()
        {
            outRoute.Value = null;
            errorRoute.Value = null;
        }
    }

    private sealed class Router(TextWriter fallback, AsyncLocal<TextWriter?> route) : TextWriter
    {
        private TextWriter Target => route.Value ?? fallback;
        public override Encoding Encoding => fallback.Encoding;
        public override void Write(char value) => Target.Write(value);
        public override void Write(string? value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void Flush() => Target.Flush();
    }
}
