namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// Thrown when a resume would continue from a checkpoint that does not fit what was asked for: made with another
/// configuration (<see cref="Differences"/>, the first one named in the message), by another method, or already past
/// the requested number of steps. The checkpoint is left untouched.
/// </summary>
public sealed class IncompatibleCheckpointException : Exception
{
    /// <summary>Creates the exception with a one-line <paramref name="message"/> and the configuration differences found.</summary>
    public IncompatibleCheckpointException(string message, IReadOnlyList<ConfigDifference> differences) : base(message)
    {
        Differences = differences ?? throw new ArgumentNullException(nameof(differences));
    }

    /// <summary>The fields that differ (empty when the checkpoint is incompatible for another reason).</summary>
    public IReadOnlyList<ConfigDifference> Differences { get; }
}
