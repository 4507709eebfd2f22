using AlignLab.Engine.Checkpoints;

namespace AlignLab.Dsl.Results;

/// <summary>
/// One resume of a run (<see cref="RunStore.ResumeRun"/>), kept in its manifest: when, by which process, and the
/// configuration fields the user allowed to differ from the run's (empty for a plain resume).
/// </summary>
/// <param name="Utc">When the run was resumed (UTC).</param>
/// <param name="Process">The process that resumed it.</param>
/// <param name="ConfigChanges">The fields that differ from the configuration the run had before, allowed by an override.</param>
public sealed record RunResume(DateTimeOffset Utc, RunProcess Process, IReadOnlyList<ConfigDifference> ConfigChanges);
