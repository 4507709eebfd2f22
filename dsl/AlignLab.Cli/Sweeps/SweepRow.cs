namespace AlignLab.Cli.Sweeps;

/// <summary>One row of a sweep as <c>alignlab sweep status</c> reports it.</summary>
/// <param name="Key">The row key.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Detail">What is known beyond the state (its Slurm task, its error, …); empty when nothing is.</param>
/// <param name="LogPath">The row's log in the run folder.</param>
public sealed record SweepRow(string Key, SweepRowState State, string Detail, string LogPath);
