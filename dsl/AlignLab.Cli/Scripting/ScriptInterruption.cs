using AlignLab.Engine.Runtime;

namespace AlignLab.Cli.Scripting;

/// <summary>
/// Runs a script's evaluation so that Ctrl-C always ends it. The first Ctrl-C signals the script's cancellation token,
/// which AlignLab's training loops and experiments watch: they stop at the next step boundary and save a checkpoint,
/// however long the step takes (<see cref="AmbientCancellation.IsCooperating"/>). Other code that never looks at the
/// token (a bare <c>while true</c> loop) is interrupted <see cref="Grace"/> later, by aborting the evaluation thread,
/// and the script then counts as cancelled.
/// </summary>
public static class ScriptInterruption
{
    /// <summary>How long a script has after the first Ctrl-C to stop by itself before it is interrupted (3 s).</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Runs <paramref name="evaluate"/> on this thread and returns its exit code; once <paramref name="cancellationToken"/>
    /// has been signalled for <see cref="Grace"/> without <paramref name="evaluate"/> returning, aborts it, says so on
    /// <paramref name="error"/> and returns <see cref="ExitCodes.Cancelled"/>.
    /// </summary>
    public static int Run(Func<int> evaluate, CancellationToken cancellationToken, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(evaluate);
        ArgumentNullException.ThrowIfNull(error);
        using var abort = new CancellationTokenSource();
        using var arm = cancellationToken.Register(() => _ = AbortWhenUncooperative(abort));
        var exitCode = ExitCodes.Failure;
        try
        {
            // ControlledExecution is obsolete for general use because an abort can leave shared state half-updated; here the
            // aborted code is the user's script, the process exits right after, and results are written atomically. The F#
            // interactive compiler interrupts its evaluations the same way.
#pragma warning disable SYSLIB0046
            System.Runtime.ControlledExecution.Run(() => exitCode = evaluate(), abort.Token);
#pragma warning restore SYSLIB0046
            return exitCode;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            error.WriteLine($"alignlab: the script did not stop within {Grace.TotalSeconds:0} s of Ctrl-C (it does not check CancellationToken), so it was interrupted.");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>After <see cref="Grace"/>, and once no cooperating loop is left to stop by itself, aborts the evaluation.</summary>
    private static async Task AbortWhenUncooperative(CancellationTokenSource abort)
    {
        await Task.Delay(Grace);
        while (AmbientCancellation.IsCooperating) await Task.Delay(100);
        try { abort.Cancel(); }
        catch (ObjectDisposedException) { } // the evaluation ended meanwhile
    }
}
