using System.Text;
using System.Text.Json;
using AlignLab.Dsl.Plots;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Training;

namespace AlignLab.Dsl.Results;

/// <summary>
/// Writes one run's folder while it runs: metrics as they come, then the final table and charts, then the status.
/// Whole files (<c>run.json</c>, <c>table.csv</c>, <c>table.json</c>, charts) are written atomically (temp + rename).
/// <c>metrics.jsonl</c> is the one append-only file (rewriting it per step would cost O(steps²)): each record is a
/// single complete line written in one call, and readers ignore a torn last line, so a crash loses at most the record
/// being written. Every metrics record also goes to TensorBoard event files in <c>tensorboard/</c>
/// (<see cref="TensorBoardFolder"/>), which mirror <c>metrics.jsonl</c>. Dispose without <see cref="Complete"/> (or <see cref="Cancel"/>) marks the run failed. Safe to call
/// from several threads.
/// </summary>
public sealed class RunWriter : IDisposable
{
    /// <summary>File name of the metrics log in a run folder.</summary>
    public const string MetricsFile = "metrics.jsonl";
    /// <summary>File name of the manifest in a run folder.</summary>
    public const string ManifestFile = "run.json";
    /// <summary>File name of the final table as CSV.</summary>
    public const string TableCsvFile = "table.csv";
    /// <summary>File name of the final table as JSON.</summary>
    public const string TableJsonFile = "table.json";
    /// <summary>Folder of the charts in a run folder.</summary>
    public const string ChartsFolder = "charts";

    private readonly RunIndex index;
    private readonly object gate = new();
    private FileStream? metrics;
    private readonly TensorBoardLog tensorBoard;

    internal RunWriter(RunIndex index, string folder, RunManifest manifest, bool rewriteManifest = true)
    {
        this.index = index;
        Folder = folder;
        Manifest = manifest;
        tensorBoard = new TensorBoardLog(TensorBoardFolder);
        if (rewriteManifest) WriteManifest();
    }

    /// <summary>The run id.</summary>
    public string Id => Manifest.Id;

    /// <summary>Full path of the run folder.</summary>
    public string Folder { get; }

    /// <summary>The manifest as last written.</summary>
    public RunManifest Manifest { get; private set; }

    /// <summary>
    /// Appends one line <c>{"step": step, name: value, …}</c> to <c>metrics.jsonl</c> (non-finite values as "NaN"/"Infinity"),
    /// and one scalar per value, tagged with its name, to the run's TensorBoard event files.
    /// </summary>
    public void LogMetrics(long step, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        foreach (var name in values.Keys)
            if (string.IsNullOrWhiteSpace(name) || name == "step")
                throw new ArgumentException($"values has a metric named '{name}'; metric names must be non-empty and not 'step'.", nameof(values));

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("step", step);
            foreach (var (name, value) in values)
            {
                if (double.IsFinite(value)) json.WriteNumber(name, value);
                else json.WriteString(name, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');

        lock (gate)
        {
            RequireRunning();
            metrics ??= new FileStream(MetricsPath, FileMode.Append, FileAccess.Write, FileShare.Read);
            metrics.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            metrics.Flush();
            tensorBoard.Write(step, values);
        }
    }

    /// <summary>
    /// Full path of the run's TensorBoard folder (<c>tensorboard/</c>; <c>tensorboard --logdir</c> it). A trainer that writes
    /// <see cref="MetricsPath"/> itself should get it as <c>TrainerConfig.TensorBoardDirectory</c>.
    /// </summary>
    public string TensorBoardFolder => Path.Combine(Folder, TensorBoardLog.FolderName);

    /// <summary>
    /// Full path of <c>metrics.jsonl</c>. The engine's trainer can write it itself (set <c>TrainerConfig.MetricsPath</c>
    /// to it; its lines have the same shape and it trims them on resume); then do not also call <see cref="LogMetrics"/>.
    /// </summary>
    public string MetricsPath => Path.Combine(Folder, MetricsFile);

    /// <summary>
    /// Logs a trainer progress record as <c>{"step", "loss", "elapsed_s", metrics…}</c>, the same line the trainer
    /// writes itself; pass it (with a <see cref="Progress.ProgressReporter"/>) as the trainer's progress callback.
    /// </summary>
    public void LogProgress(TrainingProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var values = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = progress.Loss, ["elapsed_s"] = progress.Elapsed.TotalSeconds };
        foreach (var (name, value) in progress.Metrics) values[name] = value;
        LogMetrics(progress.Step, values);
    }

    /// <summary>Writes the final table as <c>table.csv</c> and <c>table.json</c> (each atomically; a later call replaces both).</summary>
    public void WriteTable(ResultTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        lock (gate)
        {
            RequireRunning();
            AtomicFile.WriteAllText(Path.Combine(Folder, TableCsvFile), table.ToCsv());
            AtomicFile.WriteAllText(Path.Combine(Folder, TableJsonFile), table.ToJson());
        }
    }

    /// <summary>Saves <paramref name="chart"/> as <c>charts/<paramref name="name"/>.html</c> and returns its full path.</summary>
    /// <param name="name">File name without extension: letters, digits, '-', '_' and '.'.</param>
    /// <param name="chart">The chart.</param>
    public string SaveChart(string name, PlotlyChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        RequireFileName(name, nameof(name));
        lock (gate)
        {
            RequireRunning();
            return chart.Save(Path.Combine(Folder, ChartsFolder, name + ".html"));
        }
    }

    /// <summary>Writes an extra text file (e.g. samples, a report) into the run folder atomically and returns its full path.</summary>
    /// <param name="fileName">File name with extension: letters, digits, '-', '_' and '.'; not one of the store's own files.</param>
    /// <param name="contents">The text.</param>
    public string WriteText(string fileName, string contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        RequireFileName(fileName, nameof(fileName));
        if (fileName is ManifestFile or MetricsFile or TableCsvFile or TableJsonFile)
            throw new ArgumentException($"fileName '{fileName}' is one of the run store's own files.", nameof(fileName));
        var path = Path.Combine(Folder, fileName);
        lock (gate)
        {
            RequireRunning();
            AtomicFile.WriteAllText(path, contents);
        }
        return path;
    }

    /// <summary>Marks the run completed (manifest, then index).</summary>
    public void Complete() => End(RunStatus.Completed, error: null);

    /// <summary>Marks the run failed with <paramref name="error"/> (manifest, then index).</summary>
    public void Fail(string error)
    {
        if (string.IsNullOrWhiteSpace(error)) throw new ArgumentException("error must describe the failure.", nameof(error));
        End(RunStatus.Failed, error);
    }

    /// <summary>
    /// Marks the run cancelled by the user, with <paramref name="saved"/> saying what was kept for a resume (manifest, then index).
    /// </summary>
    public void Cancel(string saved)
    {
        if (string.IsNullOrWhiteSpace(saved)) throw new ArgumentException("saved must say what the cancelled run kept.", nameof(saved));
        End(RunStatus.Cancelled, saved);
    }

    /// <summary>
    /// Rewrites <c>metrics.jsonl</c> (atomically) without the records <paramref name="drop"/> selects: a resumed
    /// experiment drops what its killed process logged after the checkpoint it continues from, so no step is logged twice.
    /// The TensorBoard event files are rebuilt from the records kept.
    /// </summary>
    internal void DropMetrics(Func<MetricRecord, bool> drop)
    {
        lock (gate)
        {
            RequireRunning();
            CloseMetrics();
            if (!File.Exists(MetricsPath))
            {
                tensorBoard.Rewrite([]);
                return;
            }
            var lines = File.ReadAllText(MetricsPath, Encoding.UTF8).Split('\n').Where(line => line.Length > 0).ToList();
            var records = ReadMetrics(MetricsPath);
            // ReadMetrics skips only a torn last line, so the records are the first lines, in order.
            var keep = Enumerable.Range(0, records.Count).Where(i => !drop(records[i])).ToList();
            AtomicFile.WriteAllText(MetricsPath, string.Concat(keep.Select(i => lines[i] + "\n")));
            tensorBoard.Rewrite(keep.Select(i => (records[i].Step, records[i].Values)));
        }
    }

    /// <summary>
    /// Closes the metrics log; a run still running is marked cancelled when the host's Ctrl-C
    /// (<see cref="AmbientCancellation.Token"/>) ended it, else failed ("ended without Complete"), unless it is detached
    /// (<see cref="RunStore.StartRun"/>: no process of its own; its rows' processes come and go).
    /// </summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (Manifest.Status == RunStatus.Running && Manifest.Process is not null)
            {
                if (AmbientCancellation.Token.IsCancellationRequested) End(RunStatus.Cancelled, "stopped by Ctrl-C before Complete() was called");
                else End(RunStatus.Failed, "the run ended without Complete() being called");
            }
            CloseMetrics();
        }
    }

    private void End(RunStatus status, string? error)
    {
        lock (gate)
        {
            RequireRunning();
            CloseMetrics();
            Manifest = Manifest with { Status = status, Error = error, EndedUtc = DateTimeOffset.UtcNow };
            WriteManifest();
        }
    }

    private void WriteManifest()
    {
        AtomicFile.WriteAllText(Path.Combine(Folder, ManifestFile), JsonSerializer.Serialize(Manifest, RunJson.Indented));
        index.Upsert(RunSummary.Of(Manifest));
    }

    private void CloseMetrics()
    {
        metrics?.Dispose();
        metrics = null;
    }

    private void RequireRunning()
    {
        if (Manifest.Status != RunStatus.Running)
            throw new InvalidOperationException($"run {Id} has already ended ({Manifest.Status}); start a new run to write more.");
    }

    private static void RequireFileName(string name, string parameter)
    {
        if (string.IsNullOrWhiteSpace(name) || name.StartsWith('.') ||
            !name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.'))
            throw new ArgumentException($"{parameter} '{name}' must be a plain file name (letters, digits, '-', '_', '.'; not starting with '.').", parameter);
    }

    internal static IReadOnlyList<MetricRecord> ReadMetrics(string path)
    {
        if (!File.Exists(path)) return [];
        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = text.Split('\n');
        var records = new List<MetricRecord>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var isLast = i == lines.Length - 1; // no '\n' after it: possibly torn by a crash
            try
            {
                using var document = JsonDocument.Parse(lines[i]);
                long step = 0;
                var values = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Name == "step") step = property.Value.GetInt64();
                    else values[property.Name] = property.Value.ValueKind == JsonValueKind.String
                        ? double.Parse(property.Value.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
                        : property.Value.GetDouble();
                }
                records.Add(new MetricRecord(step, values));
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                if (isLast) break;
                throw new InvalidDataException($"{path}: line {i + 1} is not a metrics record: {e.Message}", e);
            }
        }
        return records;
    }
}
