namespace AlignLab.Engine.Runtime;

/// <summary>
/// The cancellation a host gives everything running on its logical flow: <c>alignlab run</c> sets it to the script's
/// Ctrl-C token, so a script's own <see cref="Training.Trainer.Run"/> loop stops at the next step and checkpoints even
/// when the script never passes a token. Held in an <see cref="AsyncLocal{T}"/>: it flows into tasks the script starts
/// and is gone for the host once the script returns. <see cref="CancellationToken.None"/> when no host set one.
/// </summary>
public static class AmbientCancellation
{
    private static readonly AsyncLocal<CancellationToken> token = new();

    /// <summary>The token of the host running this code, or <see cref="CancellationToken.None"/>.</summary>
    public static CancellationToken Token
    {
        get => token.Value;
        set => token.Value = value;
    }

    /// <summary><paramref name="explicitToken"/> when it can be cancelled, else <see cref="Token"/>.</summary>
    public static CancellationToken Or(CancellationToken explicitToken) => explicitToken.CanBeCanceled ? explicitToken : Token;

    private static int cooperating;

    /// <summary>
    /// True while a loop that stops by itself at its next step boundary (a <see cref="Training.Trainer"/> run, an
    /// experiment) is running in this process: a host then waits for it however long a step takes, instead of
    /// interrupting the script, so the final checkpoint gets written.
    /// </summary>
    public static bool IsCooperating => Volatile.Read(ref cooperating) > 0;

    /// <summary>Marks the calling loop as one that watches its token, until the returned scope is disposed.</summary>
    public static IDisposable Cooperate()
    {
        Interlocked.Increment(ref cooperating);
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) Interlocked.Decrement(ref cooperating);
        }
    }
}
