namespace AlignLab.Dsl.Results;

/// <summary>One entry of the run index: enough to list runs without opening their folders.</summary>
/// <param name="Id">The run id (its folder name).</param>
/// <param name="Name">The experiment name.</param>
/// <param name="Seed">The random seed.</param>
/// <param name="Status">Where the run stands (<see cref="RunStatus"/>).</param>
/// <param name="StartedUtc">Start time (UTC).</param>
/// <param name="EndedUtc">End time (UTC), null while running.</param>
public sealed record RunSummary(string Id, string Name, long Seed, RunStatus Status, DateTimeOffset StartedUtc, DateTimeOffset? EndedUtc)
{
    /// <summary>The summary of a manifest.</summary>
    public static RunSummary Of(RunManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return new(manifest.Id, manifest.Name, manifest.Seed, manifest.Status, manifest.StartedUtc, manifest.EndedUtc);
    }
}
