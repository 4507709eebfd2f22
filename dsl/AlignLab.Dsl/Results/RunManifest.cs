using System.Text.Json;

namespace AlignLab.Dsl.Results;

/// <summary>
/// What a run was: its identity, seed, configuration, software versions and git commit. Stored as <c>run.json</c> in
/// the run folder, the source of truth for the run (the store's index is a cache of it).
/// </summary>
/// <param name="Id">The run id, also its folder name (<c>yyyyMMdd-HHmmss-name-xxxx</c>, sorts by start time).</param>
/// <param name="Name">The experiment name given when the run started.</param>
/// <param name="Seed">The random seed of the run.</param>
/// <param name="Status">Running, Completed, Failed, Cancelled or Interrupted.</param>
/// <param name="StartedUtc">When the run started (UTC).</param>
/// <param name="EndedUtc">When it completed, failed or was cancelled (UTC); null while running or when interrupted.</param>
/// <param name="Error">The failure message of a failed run, what was saved of a cancelled one, or what ended an interrupted one; null otherwise.</param>
/// <param name="Versions">AlignLab, .NET, TorchSharp and OS versions.</param>
/// <param name="GitCommit">HEAD commit of the repository holding the script that started the run (else the working directory); null outside a repository.</param>
/// <param name="Config">The run's whole configuration as JSON (<c>null</c> JSON when none was given); after a resume that allowed changes, the new one.</param>
/// <param name="Process">The process writing (or last writing) the run; null in manifests written before it was recorded.</param>
/// <param name="Resumes">Every resume of the run, oldest first (null or empty when never resumed).</param>
public sealed record RunManifest(
    string Id,
    string Name,
    long Seed,
    RunStatus Status,
    DateTimeOffset StartedUtc,
    DateTimeOffset? EndedUtc,
    string? Error,
    RunVersions Versions,
    string? GitCommit,
    JsonElement Config,
    RunProcess? Process = null,
    IReadOnlyList<RunResume>? Resumes = null);
