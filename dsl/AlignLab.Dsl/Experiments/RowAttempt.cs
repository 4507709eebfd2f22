using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl;

/// <summary>
/// The latest attempt at one row of a sweep, kept as <c>attempt.json</c> in the row's folder of the run's
/// <see cref="RowStore"/> beside its result: which process computes it (so a sweep's status can tell a running row from
/// one whose process died without a result) and, when it failed, the error. Written atomically when the row starts and
/// when it fails.
/// </summary>
/// <param name="Process">The process computing the row.</param>
/// <param name="StartedUtc">When the attempt started.</param>
/// <param name="SlurmJob">The Slurm array task (<c>JOB_INDEX</c>) when the row runs under Slurm, else null.</param>
/// <param name="Error">The error that ended the attempt; null while it runs or when it succeeded.</param>
public sealed record RowAttempt(RunProcess Process, DateTimeOffset StartedUtc, string? SlurmJob, string? Error = null)
{
    /// <summary>File name of the attempt inside a row's folder.</summary>
    public const string FileName = "attempt.json";

    /// <summary>The attempt of this process, now, with its Slurm array task when <c>SLURM_ARRAY_JOB_ID</c> is set.</summary>
    public static RowAttempt Start()
    {
        var job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID");
        var index = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        return new RowAttempt(RunProcess.Current(), DateTimeOffset.UtcNow, string.IsNullOrEmpty(job) ? null : $"{job}_{index}");
    }

    /// <summary>The attempt recorded in <paramref name="rowFolder"/>, or null when none is (or it cannot be read).</summary>
    public static RowAttempt? Read(string rowFolder)
    {
        var path = Path.Combine(rowFolder, FileName);
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<RowAttempt>(File.ReadAllText(path), RunJson.Indented) : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>Writes this attempt into <paramref name="rowFolder"/> (atomically).</summary>
    public void Write(string rowFolder) =>
        AtomicFile.WriteAllText(Path.Combine(rowFolder, FileName), JsonSerializer.Serialize(this, RunJson.Indented));
}
