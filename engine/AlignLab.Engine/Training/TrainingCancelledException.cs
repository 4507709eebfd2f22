namespace AlignLab.Engine.Training;

/// <summary>
/// Thrown by <see cref="Trainer.Run"/> when its cancellation token is signalled (the first Ctrl-C): training stopped at a
/// step boundary after <see cref="Step"/> completed steps, and, when the trainer has a checkpoint folder, the state after
/// that step is in <see cref="CheckpointPath"/>, so a resume continues exactly where it stopped.
/// </summary>
public sealed class TrainingCancelledException : OperationCanceledException
{
    /// <summary>Creates the exception for <paramref name="method"/> stopped after <paramref name="step"/> of <paramref name="totalSteps"/>.</summary>
    public TrainingCancelledException(string method, int step, int totalSteps, string? checkpointPath, CancellationToken token)
        : base($"training of '{method}' stopped after step {step} of {totalSteps}; "
               + (checkpointPath is null ? "no checkpoint folder was set, so nothing was saved" : $"checkpoint saved to {checkpointPath}"), token)
    {
        Method = method;
        Step = step;
        TotalSteps = totalSteps;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The method's name.</summary>
    public string Method { get; }

    /// <summary>Steps completed before stopping (the checkpoint's step).</summary>
    public int Step { get; }

    /// <summary>The steps the run was asked for.</summary>
    public int TotalSteps { get; }

    /// <summary>The checkpoint holding the state after <see cref="Step"/>; null when the trainer had no checkpoint folder.</summary>
    public string? CheckpointPath { get; }
}
