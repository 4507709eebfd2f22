namespace AlignLab.Cli.Sweeps;

/// <summary>
/// The resources of each array task of a Slurm sweep, as <c>#SBATCH</c> lines: <c>--cpus-per-task</c> (torch's threads
/// follow it), <c>--gpus-per-task</c> (the task sees its GPUs in <c>CUDA_VISIBLE_DEVICES</c>), and, when given,
/// partition, time limit and memory; <see cref="MaxParallel"/> throttles the array (<c>--array=0-N%K</c>).
/// </summary>
/// <param name="Partition">Slurm partition, or null for the cluster's default.</param>
/// <param name="Time">Time limit per row (<c>HH:MM:SS</c>, <c>D-HH:MM:SS</c> …), or null for the partition's default.</param>
/// <param name="CpusPerTask">Cores per row; null for the default (1 on Slurm, a share of the machine locally).</param>
/// <param name="GpusPerTask">GPUs per row (0: none requested).</param>
/// <param name="Memory">Memory per node (<c>4G</c>, <c>500M</c> …), or null for the partition's default.</param>
/// <param name="MaxParallel">Most rows running at once, or null for no limit.</param>
public sealed record SlurmOptions(string? Partition, string? Time, int? CpusPerTask, int GpusPerTask, string? Memory, int? MaxParallel);
