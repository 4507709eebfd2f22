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
}
