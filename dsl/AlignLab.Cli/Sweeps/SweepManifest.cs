using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Sweeps;

/// <summary>
/// What a sweep's run was started from, kept as <c>sweep.json</c> in the run folder so that <c>alignlab sweep status</c>,
/// <c>collect</c> and a resubmission can work from the run id alone: the script and its arguments, the folder it ran in,
/// every row key of the experiment in order, and each submission of rows (a Slurm job array or a local batch).
/// </summary>
/// <param name="Script">Absolute path of the experiment script.</param>
/// <param name="Args">The script's <c>--set</c> arguments.</param>
/// <param name="OutputDirectory">The script's <c>--out</c> folder, or null for its default.</param>
/// <param name="WorkingDirectory">The folder the sweep was started in (rows run there, so relative paths in the script agree).</param>
/// <param name="Rows">Every row key of the experiment (<see cref="Dsl.MethodSpec.Key"/>), in the experiment's order.</param>
/// <param name="Submissions">Every submission of rows, oldest first.</param>
public sealed record SweepManifest(
    string Script,
    IReadOnlyDictionary<string, string> Args,
    string? OutputDirectory,
    string WorkingDirectory,
    IReadOnlyList<string> Rows,
    IReadOnlyList<SweepSubmission> Submissions)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>File name of the sweep manifest in a run folder.</summary>
    public const string FileName = "sweep.json";

    /// <summary>Folder of the per-row logs in a run folder (<c>logs/KEY.log</c>).</summary>
    public const string LogsFolder = "logs";

    /// <summary>The log of row <paramref name="key"/> of the run in <paramref name="runFolder"/>.</summary>
    public static string LogPath(string runFolder, string key) => Path.Combine(runFolder, LogsFolder, key + ".log");

    /// <summary>
    /// The sweep manifest of the run in <paramref name="runFolder"/>. Throws <see cref="ArgumentException"/> when the run
    /// is not a sweep's, <see cref="InvalidDataException"/> when the file does not parse.
    /// </summary>
    public static SweepManifest Read(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) throw new ArgumentException($"run {Path.GetFileName(runFolder)} is not a sweep's run (no {FileName}); start sweeps with `alignlab sweep SCRIPT`.");
        try
        {
            return JsonSerializer.Deserialize<SweepManifest>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a sweep manifest: {e.Message}", e);
        }
    }

    /// <summary>
    /// The command that computes row <paramref name="key"/> into run <paramref name="runId"/>:
    /// <c>alignlab run SCRIPT [--set k=v …] [--out DIR] --row KEY --resume RUN</c> (<see cref="AlignlabLauncher"/>).
    /// </summary>
    public IReadOnlyList<string> RowCommand(string runId, string key)
    {
        var words = new List<string>(AlignlabLauncher.Command()) { "run", Script };
        foreach (var (name, value) in Args) words.AddRange(["--set", $"{name}={value}"]);
        if (OutputDirectory is not null) words.AddRange(["--out", OutputDirectory]);
        words.AddRange(["--row", key, "--resume", runId]);
        return words;
    }

    /// <summary>Writes this manifest into <paramref name="runFolder"/> (atomically).</summary>
    public void Write(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, Json));
}
