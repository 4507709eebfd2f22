namespace AlignLab.Dsl.Results;

/// <summary>
/// Where a run stands: <see cref="Running"/>, then <see cref="Completed"/>, <see cref="Failed"/> or
/// <see cref="Cancelled"/> as its process ends it, or <see cref="Interrupted"/> when its process died without ending it.
/// A cancelled or interrupted experiment can be resumed (<see cref="RunStore.ResumeRun"/>).
/// </summary>
public enum RunStatus
{
    /// <summary>Started and not finished, and its process is alive (or on another host, where that cannot be checked).</summary>
    Running,

    /// <summary>Finished: <see cref="RunWriter.Complete"/> was called.</summary>
    Completed,

    /// <summary>Ended with an error (<see cref="RunWriter.Fail"/>, the error line recorded), or disposed without being completed.</summary>
    Failed,

    /// <summary>Stopped by the user (Ctrl-C, <see cref="RunWriter.Cancel"/>) after saving what it had done.</summary>
    Cancelled,

    /// <summary>
    /// Marked running, but its process (<see cref="RunManifest.Process"/>) is gone: killed, crashed or out of power.
    /// Set by <see cref="RunStore.List"/> and <see cref="RunStore.Load"/> when they find it so.
    /// </summary>
    Interrupted,
}
