namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// Thrown when a resume would continue from a checkpoint (or an experiment run) that does not fit what was asked for:
/// made with another configuration (<see cref="Differences"/>, the first one named in the message), on other frozen
/// weights (<see cref="FrozenWeightsFingerprint"/>; differences named <c>frozen.NAME</c>), by another method, or already
/// past the requested number of steps. The checkpoint or run is left untouched.
/// </summary>
public sealed class IncompatibleResumeException : Exception
{
    /// <summary>Creates the exception with a one-line <paramref name="message"/> and the configuration differences found.</summary>
    public IncompatibleResumeException(string message, IReadOnlyList<ConfigDifference> differences) : base(message)
    {
        Differences = differences ?? throw new ArgumentNullException(nameof(differences));
    }

    /// <summary>The fields that differ (empty when the checkpoint is incompatible for another reason).</summary>
    public IReadOnlyList<ConfigDifference> Differences { get; }
}
