namespace AlignLab.Engine.Training;

/// <summary>
/// Thrown when a training loss becomes NaN or infinite. <see cref="Step"/> is the first such step; the last checkpoint
/// written before it (if any) is left untouched.
/// </summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception for the first non-finite <paramref name="step"/>.</summary>
    public NonFiniteLossException(string method, int step, int lastCheckpointStep)
        : base($"Training of '{method}' stopped: the loss is not finite at step {step}. "
               + (lastCheckpointStep > 0 ? $"The last good checkpoint (step {lastCheckpointStep}) is kept." : "No checkpoint was written."))
    {
        Step = step;
        LastCheckpointStep = lastCheckpointStep;
    }

    /// <summary>The first step whose loss was not finite (1-based).</summary>
    public int Step { get; }

    /// <summary>The step of the last checkpoint written, 0 when none.</summary>
    public int LastCheckpointStep { get; }
}
