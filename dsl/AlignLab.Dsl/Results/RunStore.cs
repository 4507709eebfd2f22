using System.Text.Json;
using AlignLab.Dsl.Scripting;
using AlignLab.Engine.Checkpoints;

namespace AlignLab.Dsl.Results;

/// <summary>
/// A folder of experiment runs: one sub-folder per run (see <see cref="RunWriter"/> for its files) and an index.
/// <para>
/// The index is a JSON file (<c>index.json</c>), not SQLite: it is dependency-free, human-readable, diffable and
/// copyable with the runs, can be written atomically (temp + rename) like every other result file, and the number of
/// runs a researcher keeps (hundreds to thousands) lists in milliseconds. It is only a cache of the runs' own
/// <c>run.json</c> manifests, so it can always be rebuilt: <see cref="List"/> repairs it after a crash.
/// </para>
/// </summary>
public sealed class RunStore
{
    /// <summary>Environment variable naming the default store folder (<see cref="OpenDefault"/>).</summary>
    public const string RootEnvironmentVariable = "ALIGNLAB_RUNS";

    /// <summary>The default store folder, relative to the working directory, when <see cref="RootEnvironmentVariable"/> is unset.</summary>
    public const string DefaultRoot = "runs";

    private readonly RunIndex index;

    private RunStore(string root)
    {
        Root = root;
        index = new RunIndex(root);
    }

    /// <summary>Full path of the store folder.</summary>
    public string Root { get; }

    /// <summary>Opens the store in <paramref name="root"/>; the folder is created when the first run starts.</summary>
    public static RunStore Open(string root)
    {
        if (string.IsNullOrWhiteSpace(root)) throw new ArgumentException("root must be a folder path.", nameof(root));
        return new RunStore(Path.GetFullPath(root));
    }

    /// <summary>Opens the store named by <c>ALIGNLAB_RUNS</c>, else <c>./runs</c>.</summary>
    public static RunStore OpenDefault()
    {
        var root = Environment.GetEnvironmentVariable(RootEnvironmentVariable);
        return Open(string.IsNullOrWhiteSpace(root) ? DefaultRoot : root);
    }

    /// <summary>
    /// Starts a run: creates its folder, writes <c>run.json</c> (status Running) and adds it to the index.
    /// </summary>
    /// <param name="name">Experiment name (any text; a slug of it goes into the id).</param>
    /// <param name="seed">The run's random seed.</param>
    /// <param name="config">The run's configuration (typically an immutable record), saved as JSON; null for none.</param>
    /// <param name="sourceDirectory">
    /// Where to look for the git repository; default the folder of the running script (<see cref="ScriptContext.Current"/>),
    /// whose commit is the code that ran, else the working directory.
    /// </param>
    /// <param name="detached">
    /// True for a run whose rows are written by other processes (a sweep's rows, e.g. Slurm array tasks): no process is
    /// recorded, so the run stays running after this writer is disposed, until <see cref="Attach"/>'s writer completes it.
    /// </param>
    public RunWriter StartRun(string name, long seed, object? config = null, string? sourceDirectory = null, bool detached = false)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must name the experiment.", nameof(name));
        var configJson = ToJson(config);

        Directory.CreateDirectory(Root);
        var started = DateTimeOffset.UtcNow;
        string id, folder;
        do
        {
            id = $"{started:yyyyMMdd-HHmmss}-{Slug(name)}-{Random.Shared.Next(0x10000):x4}";
            folder = Path.Combine(Root, id);
        }
        while (Directory.Exists(folder));
        Directory.CreateDirectory(folder);

        var manifest = new RunManifest(id, name, seed, RunStatus.Running, started, null, null, RunVersions.Current(),
            GitCommit.Find(sourceDirectory ?? SourceDirectory()), configJson, detached ? null : RunProcess.Current());
        return new RunWriter(index, folder, manifest);
    }

    /// <summary>
    /// A writer on the detached run <paramref name="id"/> (see <see cref="StartRun"/>), or, when null, on the latest
    /// detached run of experiment <paramref name="name"/>, for one of the processes that write its rows or gather them.
    /// The manifest is left as it is (still running, no process); disposing the writer leaves the run running.
    /// Throws <see cref="ArgumentException"/> when there is no such run, it is of another experiment or not detached, and
    /// <see cref="IncompatibleResumeException"/> naming the first field of <paramref name="config"/> that differs from
    /// the run's configuration (fields <paramref name="isFreeToChange"/> accepts aside).
    /// </summary>
    public RunWriter Attach(string? id, string name, object? config, Func<string, bool>? isFreeToChange = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must name the experiment.", nameof(name));
        var runId = id is null
            ? List().Where(r => r.Name == name && r.Status == RunStatus.Running && ReadManifest(Path.Combine(Root, r.Id)).Process is null)
                  .MaxBy(r => r.StartedUtc)?.Id
              ?? throw new ArgumentException($"no sweep run of experiment '{name}' in {Root}; start one with `alignlab sweep`.")
            : Resolve(id);
        var folder = Path.Combine(Root, runId);
        var manifest = ReadManifest(folder);
        if (manifest.Name != name)
            throw new ArgumentException($"run {runId} is of experiment '{manifest.Name}', not '{name}'.");
        if (manifest.Status != RunStatus.Running || manifest.Process is not null)
            throw new ArgumentException($"run {runId} is not a sweep's run in progress ({manifest.Status}"
                + (manifest.Process is null ? "" : $", written by {manifest.Process}") + ").");
        var changes = ConfigDifference.Find(manifest.Config, ToJson(config), isFreeToChange);
        if (changes.Count > 0)
            throw new IncompatibleResumeException(
                $"run {runId} was started with other settings: {changes[0].Describe("in the run")}; run the sweep's script with the sweep's arguments.", changes);
        return new RunWriter(index, folder, manifest, rewriteManifest: false);
    }

    /// <summary>
    /// Reopens an earlier run of experiment <paramref name="name"/> to continue it in this process: the run
    /// <paramref name="id"/> (or unique prefix), or, when null, the latest run of that name. Its status goes back to
    /// running, with this process recorded and the resume added to <see cref="RunManifest.Resumes"/>; its files stay.
    /// Throws <see cref="ArgumentException"/> when there is no such run or it belongs to another experiment,
    /// <see cref="InvalidOperationException"/> when its process is still alive, and
    /// <see cref="IncompatibleResumeException"/> naming the first field of <paramref name="config"/> that differs from the
    /// run's configuration, unless <paramref name="allowConfigChange"/> (then the differences are recorded in the resume
    /// and the run's configuration becomes <paramref name="config"/>).
    /// </summary>
    /// <param name="id">The run to resume, or null for the latest run named <paramref name="name"/>.</param>
    /// <param name="name">The experiment's name.</param>
    /// <param name="config">The configuration asked for now, compared with the run's.</param>
    /// <param name="allowConfigChange">Resume even when the configurations differ.</param>
    /// <param name="isFreeToChange">Configuration fields (paths as in <see cref="ConfigDifference.Field"/>) that may differ, e.g. display settings.</param>
    public RunWriter ResumeRun(string? id, string name, object? config, bool allowConfigChange = false, Func<string, bool>? isFreeToChange = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must name the experiment.", nameof(name));
        var runId = id is null
            // By start time: ids sort by the second only, then by their random suffix.
            ? List().Where(r => r.Name == name).MaxBy(r => r.StartedUtc)?.Id
              ?? throw new ArgumentException($"no run of experiment '{name}' in {Root} to resume; run it without --resume to start one.", nameof(id))
            : Resolve(id);
        var folder = Path.Combine(Root, runId);
        var manifest = Refresh(ReadManifest(folder), folder);
        if (manifest.Name != name)
            throw new ArgumentException($"run {runId} is of experiment '{manifest.Name}', not '{name}'.", nameof(id));
        if (manifest.Status == RunStatus.Running)
            throw new InvalidOperationException($"run {runId} is still running ({manifest.Process?.ToString() ?? "process not recorded"}); stop it first.");

        var current = ToJson(config);
        var changes = ConfigDifference.Find(manifest.Config, current, isFreeToChange);
        if (changes.Count > 0 && !allowConfigChange)
        {
            var more = changes.Count > 1 ? $" (and {string.Join(", ", changes.Skip(1).Select(d => d.Field))})" : "";
            throw new IncompatibleResumeException(
                $"cannot resume run {runId}: {changes[0].Describe("in the run")}{more}; resume with the run's settings, "
                + "allow the change (--allow-config-change), or run without --resume to start a new run.", changes);
        }
        var process = RunProcess.Current();
        var resumed = manifest with
        {
            Status = RunStatus.Running, EndedUtc = null, Error = null, Process = process, Config = current,
            Resumes = [.. manifest.Resumes ?? [], new RunResume(DateTimeOffset.UtcNow, process, changes)],
        };
        return new RunWriter(index, folder, resumed);
    }

    /// <summary>
    /// All runs, oldest first (<see cref="Damaged"/> lists the folders that are not readable runs; a finished run whose
    /// <c>run.json</c> was damaged later is listed from the index until the index is rebuilt). Reads the index and repairs it from the
    /// run folders: runs missing from it (a crash between writing a manifest and the index) are added, entries still
    /// marked running are refreshed from their manifests (and become <see cref="RunStatus.Interrupted"/> when their
    /// process is gone), and entries whose folder was deleted are dropped.
    /// </summary>
    public IReadOnlyList<RunSummary> List()
    {
        if (!Directory.Exists(Root)) return [];
        var indexed = index.Read();
        var byId = indexed.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var current = new List<RunSummary>();
        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            var id = Path.GetFileName(folder);
            if (!File.Exists(Path.Combine(folder, RunWriter.ManifestFile))) continue;
            if (byId.TryGetValue(id, out var entry) && entry.Status != RunStatus.Running)
            {
                current.Add(entry);
                continue;
            }
            var manifest = TryReadManifest(folder);
            if (manifest is not null) current.Add(RunSummary.Of(Refresh(manifest, folder)));
        }
        current.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));

        if (!current.SequenceEqual(indexed.OrderBy(e => e.Id, StringComparer.Ordinal)))
        {
            var repaired = current.ToDictionary(e => e.Id, StringComparer.Ordinal);
            // Merge under the lock with what other writers added meanwhile; keep their entries if their folders exist.
            index.Update(entries =>
            {
                foreach (var entry in entries)
                    if (!repaired.ContainsKey(entry.Id) && File.Exists(Path.Combine(Root, entry.Id, RunWriter.ManifestFile)))
                        repaired[entry.Id] = entry;
                entries.Clear();
                entries.AddRange(repaired.Values);
            });
        }
        return current;
    }

    /// <summary>
    /// Loads a run by id, or by a prefix of exactly one run's id (e.g. its date and time). A damaged run folder throws
    /// <see cref="InvalidDataException"/> saying what is wrong with it.
    /// </summary>
    public RunRecord Load(string id)
    {
        var folder = Path.Combine(Root, Resolve(id));
        var manifest = Refresh(ReadManifest(folder), folder);
        var tablePath = Path.Combine(folder, RunWriter.TableJsonFile);
        var table = File.Exists(tablePath) ? ResultTable.ParseJson(File.ReadAllText(tablePath)) : null;
        var chartsFolder = Path.Combine(folder, RunWriter.ChartsFolder);
        var charts = Directory.Exists(chartsFolder)
            ? Directory.EnumerateFiles(chartsFolder, "*.html").Where(p => !AtomicFile.IsTemporaryFile(p)).Order(StringComparer.Ordinal).ToArray()
            : [];
        return new RunRecord(manifest, folder, RunWriter.ReadMetrics(Path.Combine(folder, RunWriter.MetricsFile)), table, charts);
    }

    /// <summary>The full id of the one run whose id is or starts with <paramref name="id"/>.</summary>
    public string Resolve(string id)
    {
        if (string.IsNullOrWhiteSpace(id)) throw new ArgumentException("id must be a run id or a prefix of one.", nameof(id));
        if (id.Contains('/') || id.Contains('\\') || id.StartsWith('.')) throw new ArgumentException($"id '{id}' is not a run id.", nameof(id));
        // A folder of that exact name is the run, readable or damaged (Load then says what is wrong with it).
        if (Directory.Exists(Path.Combine(Root, id))) return id;
        var matches = List().Where(r => r.Id.StartsWith(id, StringComparison.Ordinal)).Select(r => r.Id).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new ArgumentException($"no run '{id}' in {Root} (alignlab runs list shows the runs).", nameof(id)),
            _ => throw new ArgumentException($"id '{id}' matches {matches.Length} runs ({string.Join(", ", matches)}); give more of it.", nameof(id)),
        };
    }

    private static string SourceDirectory() =>
        ScriptContext.HasCurrent ? Path.GetDirectoryName(ScriptContext.Current.ScriptPath)! : Environment.CurrentDirectory;

    /// <summary>
    /// The folders in the store that are not readable runs (no <c>run.json</c>, or one that does not parse), each with
    /// the reason; <see cref="List"/> leaves them out and <c>alignlab runs list</c> shows them after the runs.
    /// </summary>
    public IReadOnlyList<DamagedRun> Damaged()
    {
        if (!Directory.Exists(Root)) return [];
        var damaged = new List<DamagedRun>();
        foreach (var folder in Directory.EnumerateDirectories(Root).Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(folder).StartsWith('.')) continue;
            var (_, problem) = ReadOrExplain(folder);
            if (problem is not null) damaged.Add(new DamagedRun(Path.GetFileName(folder), folder, problem));
        }
        return damaged;
    }

    private static JsonElement ToJson(object? config)
    {
        try
        {
            return config is null
                ? JsonSerializer.SerializeToElement<object?>(null, RunJson.Indented)
                : JsonSerializer.SerializeToElement(config, config.GetType(), RunJson.Indented);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"config of type {config!.GetType().Name} cannot be saved as JSON: {e.Message}", nameof(config), e);
        }
    }

    /// <summary>
    /// A run still marked running whose process is gone becomes <see cref="RunStatus.Interrupted"/>, written back to its
    /// manifest and the index (its process cannot do it any more).
    /// </summary>
    private RunManifest Refresh(RunManifest manifest, string folder)
    {
        if (manifest.Status != RunStatus.Running || manifest.Process?.IsAlive() != false) return manifest;
        var interrupted = manifest with
        {
            Status = RunStatus.Interrupted,
            Error = $"its process ({manifest.Process}) ended without closing the run (killed or crashed); resume it with --resume {manifest.Id}",
        };
        AtomicFile.WriteAllText(Path.Combine(folder, RunWriter.ManifestFile), JsonSerializer.Serialize(interrupted, RunJson.Indented));
        index.Upsert(RunSummary.Of(interrupted));
        return interrupted;
    }

    private static RunManifest? TryReadManifest(string folder) => ReadOrExplain(folder).Manifest;

    private static RunManifest ReadManifest(string folder)
    {
        var (manifest, problem) = ReadOrExplain(folder);
        return manifest ?? throw new InvalidDataException($"run {Path.GetFileName(folder)} is damaged: {problem}.");
    }

    /// <summary>The folder's manifest, or why it cannot be read (in one line).</summary>
    private static (RunManifest? Manifest, string? Problem) ReadOrExplain(string folder)
    {
        var path = Path.Combine(folder, RunWriter.ManifestFile);
        if (!File.Exists(path)) return (null, $"no {RunWriter.ManifestFile}");
        try
        {
            var manifest = JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), RunJson.Indented);
            return manifest is null || string.IsNullOrEmpty(manifest.Id) || manifest.Name is null
                ? (null, $"{path} is not a run manifest (no id or name)")
                : (manifest, null);
        }
        catch (JsonException e)
        {
            return (null, $"{path} is not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{path} cannot be read: {e.Message}");
        }
    }

    private static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        if (slug.Length > 40) slug = slug[..40].TrimEnd('-');
        return slug.Length == 0 ? "run" : slug;
    }
}
