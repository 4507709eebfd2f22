using System.Text.Json;
using AlignLab.Dsl.Scripting;

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
    public RunWriter StartRun(string name, long seed, object? config = null, string? sourceDirectory = null)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("name must name the experiment.", nameof(name));
        JsonElement configJson;
        try
        {
            configJson = config is null
                ? JsonSerializer.SerializeToElement<object?>(null, RunJson.Indented)
                : JsonSerializer.SerializeToElement(config, config.GetType(), RunJson.Indented);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"config of type {config!.GetType().Name} cannot be saved as JSON: {e.Message}", nameof(config), e);
        }

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
            GitCommit.Find(sourceDirectory ?? SourceDirectory()), configJson);
        return new RunWriter(index, folder, manifest);
    }

    /// <summary>
    /// All runs, oldest first. Reads the index and repairs it from the run folders: runs missing from it (a crash
    /// between writing a manifest and the index) are added, entries still marked running are refreshed from their
    /// manifests, and entries whose folder was deleted are dropped.
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
            if (manifest is not null) current.Add(RunSummary.Of(manifest));
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
    /// Loads a run by id, or by a prefix of exactly one run's id (e.g. its date and time).
    /// </summary>
    public RunRecord Load(string id)
    {
        var folder = Path.Combine(Root, Resolve(id));
        var manifest = TryReadManifest(folder)
                       ?? throw new InvalidDataException($"{Path.Combine(folder, RunWriter.ManifestFile)} is not a readable run manifest.");
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
        if (File.Exists(Path.Combine(Root, id, RunWriter.ManifestFile))) return id;
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

    private static RunManifest? TryReadManifest(string folder)
    {
        try
        {
            return JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(Path.Combine(folder, RunWriter.ManifestFile)), RunJson.Indented);
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
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
