namespace AlignLab.Dsl.Results;

/// <summary>Where a run stands. A run whose process died stays <see cref="Running"/> in its folder and the index.</summary>
public enum RunStatus
{
    /// <summary>Started and not (yet) finished; also what a crashed run shows.</summary>
    Running,

    /// <summary>Finished: <see cref="RunWriter.Complete"/> was called.</summary>
    Completed,

    /// <summary>Ended with an error (<see cref="RunWriter.Fail"/>), or disposed without being completed.</summary>
    Failed,
}
