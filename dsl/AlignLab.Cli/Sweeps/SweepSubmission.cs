namespace AlignLab.Cli.Sweeps;

/// <summary>One submission of a sweep's rows: a Slurm job array (task i computes <see cref="Rows"/>[i]) or a local batch.</summary>
/// <param name="SubmittedUtc">When the rows were submitted.</param>
/// <param name="SlurmJob">The Slurm job id of the array; null for rows run locally.</param>
/// <param name="Rows">The submitted row keys, by array index.</param>
/// <param name="Slurm">The resources asked of Slurm per row; null for rows run locally.</param>
public sealed record SweepSubmission(DateTimeOffset SubmittedUtc, string? SlurmJob, IReadOnlyList<string> Rows, SlurmOptions? Slurm = null);
