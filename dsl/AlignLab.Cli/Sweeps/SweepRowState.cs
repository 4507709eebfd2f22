namespace AlignLab.Cli.Sweeps;

/// <summary>Where one row of a sweep stands (<see cref="SweepStatus"/>).</summary>
public enum SweepRowState
{
    /// <summary>Its result is in the run's row store.</summary>
    Done,

    /// <summary>A process computes it now (a live local process, or a Slurm task in state RUNNING).</summary>
    Running,

    /// <summary>Submitted to Slurm and waiting in the queue.</summary>
    Pending,

    /// <summary>Its last attempt ended without a result: an error, or its process was killed, ran out of time or memory.</summary>
    Failed,

    /// <summary>Never attempted (or its job was cancelled before it started).</summary>
    Missing,
}
