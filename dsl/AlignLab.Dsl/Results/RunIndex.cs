using System.Text.Json;

namespace AlignLab.Dsl.Results;

/// <summary>
/// The store's <c>index.json</c>: a list of <see cref="RunSummary"/>, rewritten whole and atomically on every change
/// under an exclusive lock file, so concurrent writers never lose each other's entries and a crash leaves the previous
/// complete index. The run folders' <c>run.json</c> stay the source of truth: <see cref="RunStore.List"/> adds runs the
/// index misses (a crash between writing a manifest and the index) and refreshes entries still marked running.
/// </summary>
internal sealed class RunIndex(string root)
{
    public const string FileName = "index.json";
    private const string LockName = "index.lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public string Path { get; } = System.IO.Path.Combine(root, FileName);

    /// <summary>The entries on disk; an unreadable index counts as empty (it is rebuilt from the run folders).</summary>
    public List<RunSummary> Read()
    {
        if (!File.Exists(Path)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<RunSummary>>(File.ReadAllText(Path), RunJson.Indented) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>Applies <paramref name="change"/> to the entries under the lock and writes the result atomically.</summary>
    public void Update(Action<List<RunSummary>> change)
    {
        using var _ = AcquireLock();
        var entries = Read();
        change(entries);
        entries.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        AtomicFile.WriteAllText(Path, JsonSerializer.Serialize(entries, RunJson.Indented));
    }

    /// <summary>Replaces or adds the entry of <paramref name="summary"/>'s run.</summary>
    public void Upsert(RunSummary summary) => Update(entries =>
    {
        entries.RemoveAll(e => e.Id == summary.Id);
        entries.Add(summary);
    });

    private FileStream AcquireLock()
    {
        var lockPath = System.IO.Path.Combine(root, LockName);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix), released when the stream closes or the process dies.
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
        }
    }
}
