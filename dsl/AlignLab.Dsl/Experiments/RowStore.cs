using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl;

/// <summary>
/// The finished rows of an experiment run, one folder per row under <c>rows/</c> in the run folder, named by the row's
/// stable key (<see cref="MethodSpec.Key"/>): <c>row.json</c>, the row's <see cref="ExperimentRow"/> written atomically
/// once the row is done, beside the trainer's checkpoint of the row while it trains. A resumed run reuses every row
/// whose <c>row.json</c> is there, so a row is computed once however often the run is interrupted. Each row is
/// written whole under its own key and needs nothing from the others, which is what lets separate processes fill one
/// run's rows (one row per cluster task).
/// <code>
/// runs/&lt;id&gt;/rows/bonbon-n8-alpha0.1-seed0/row.json
///                                             /checkpoint.safetensors
/// </code>
/// </summary>
public sealed class RowStore
{
    /// <summary>Name of the rows folder inside a run folder.</summary>
    public const string FolderName = "rows";

    /// <summary>File name of a finished row's result inside its folder.</summary>
    public const string ResultFile = "row.json";

    /// <summary>The row store of the run in <paramref name="runFolder"/>.</summary>
    public RowStore(string runFolder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runFolder);
        Folder = Path.Combine(Path.GetFullPath(runFolder), FolderName);
    }

    /// <summary>Full path of the <c>rows</c> folder.</summary>
    public string Folder { get; }

    /// <summary>The folder of row <paramref name="key"/> (its result and its checkpoint); not created here.</summary>
    public string RowFolder(string key)
    {
        if (string.IsNullOrWhiteSpace(key) || key.Contains('/') || key.Contains('\\') || key.StartsWith('.'))
            throw new ArgumentException($"'{key}' is not a row key.", nameof(key));
        return Path.Combine(Folder, key);
    }

    /// <summary>The keys of the finished rows, sorted.</summary>
    public IReadOnlyList<string> FinishedKeys() =>
        Directory.Exists(Folder)
            ? [.. Directory.EnumerateDirectories(Folder).Where(d => File.Exists(Path.Combine(d, ResultFile))).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)]
            : [];

    /// <summary>
    /// The finished row <paramref name="key"/>, or null when it has not finished. Throws <see cref="InvalidDataException"/>
    /// naming the file when it is unreadable or holds another method than <paramref name="spec"/>.
    /// </summary>
    public ExperimentRow? Read(string key, MethodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var path = Path.Combine(RowFolder(key), ResultFile);
        if (!File.Exists(path)) return null;
        ExperimentRow? row;
        try
        {
            row = JsonSerializer.Deserialize<ExperimentRow>(File.ReadAllText(path), RunJson.Indented);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a finished row ({e.Message}); delete it to compute the row again.", e);
        }
        if (row?.Spec is null || row.Spec with { Label = null } != spec with { Label = null })
            throw new InvalidDataException($"{path} holds the row of {row?.Spec?.DisplayName ?? "nothing"}, not of {spec.DisplayName}; delete it to compute the row again.");
        // The label only names the row, so a finished row keeps serving a renamed one.
        return row with { Method = spec.DisplayName, Spec = spec };
    }

    /// <summary>Records row <paramref name="key"/> as finished with <paramref name="row"/> (atomically: the file is whole or absent).</summary>
    public void Write(string key, ExperimentRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        AtomicFile.WriteAllText(Path.Combine(RowFolder(key), ResultFile), JsonSerializer.Serialize(row, RunJson.Indented));
    }
}
