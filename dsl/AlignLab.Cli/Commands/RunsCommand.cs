using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab runs list|show|compare [--root DIR]</c>: browse the run store (<see cref="RunStore"/>) that experiment
/// scripts write to: list runs, show one run's manifest, final metrics and table, or compare runs' final metrics side by side.
/// The store is <c>--root</c>, else <c>$ALIGNLAB_RUNS</c>, else <c>./runs</c>.
/// </summary>
public static class RunsCommand
{
    /// <summary>Creates the <c>runs</c> command group.</summary>
    public static Command Create()
    {
        var root = new Option<string>("--root")
        {
            HelpName = "dir",
            Description = $"The run store folder (default: ${RunStore.RootEnvironmentVariable}, else ./{RunStore.DefaultRoot}).",
            Recursive = true,
        };

        var list = new Command("list", "List the runs in the store, oldest first.");
        list.SetAction(parseResult => Execute(parseResult, root, "list", (store, output) => List(store, output)));

        var showId = new Argument<string>("id") { Description = "A run id, or a prefix of exactly one run's id." };
        var show = new Command("show", "Show one run: manifest, configuration, final metrics, table and charts.") { showId };
        show.SetAction(parseResult => Execute(parseResult, root, "show", (store, output) => Show(store, parseResult.GetValue(showId)!, output)));

        var compareIds = new Argument<string[]>("ids") { Description = "Two or more run ids (or unique prefixes).", Arity = new ArgumentArity(2, 100) };
        var compare = new Command("compare", "Compare runs: their final metrics side by side.") { compareIds };
        compare.SetAction(parseResult => Execute(parseResult, root, "compare", (store, output) => Compare(store, parseResult.GetValue(compareIds)!, output)));

        return new Command("runs", "Browse saved experiment runs: list, show, compare.") { root, list, show, compare };
    }

    /// <summary>
    /// Writes the run list as a table (id, name, status, seed, start time, duration): a run whose process died shows as
    /// interrupted; then one line per damaged run folder with what is wrong with it.
    /// </summary>
    public static void List(RunStore store, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        var damaged = store.Damaged();
        // The index may still list a run whose run.json was damaged after it finished; Damaged() read every manifest.
        var runs = store.List().Where(r => damaged.All(d => d.Id != r.Id)).ToList();
        if (runs.Count == 0) output.WriteLine($"no runs in {store.Root}");
        else WriteRuns(runs, output);
        foreach (var run in damaged) output.WriteLine($"damaged: {run.Id}: {run.Reason}");
    }

    private static void WriteRuns(IReadOnlyList<RunSummary> runs, TextWriter output)
    {
        var rows = runs.Select(r => (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?>
        {
            ["id"] = r.Id, ["name"] = r.Name, ["status"] = r.Status.ToString().ToLowerInvariant(),
            ["seed"] = r.Seed.ToString(CultureInfo.InvariantCulture),
            ["started (UTC)"] = r.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            ["duration"] = r.EndedUtc is { } end ? Duration(end - r.StartedUtc) : "-",
        }).ToArray();
        output.Write(ResultTable.FromRows(rows).ToText());
    }

    /// <summary>Writes one run: manifest fields, configuration JSON, final metrics, final table and chart paths.</summary>
    public static void Show(RunStore store, string id, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        var run = store.Load(id);
        var m = run.Manifest;
        void Field(string name, string? value) => output.WriteLine($"{name + ":",-11} {value ?? "-"}");
        Field("id", m.Id);
        Field("name", m.Name);
        Field("status", m.Status.ToString().ToLowerInvariant() + (m.Error is null ? "" : $" ({m.Error})"));
        Field("seed", m.Seed.ToString(CultureInfo.InvariantCulture));
        Field("started", m.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        Field("ended", m.EndedUtc?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        Field("process", m.Process?.ToString());
        foreach (var resume in m.Resumes ?? [])
            Field("resumed", resume.Utc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) + $" by {resume.Process}"
                + (resume.ConfigChanges.Count == 0 ? "" : "; allowed changes: " + string.Join("; ", resume.ConfigChanges.Select(c => c.Describe("before")))));
        Field("git commit", m.GitCommit);
        Field("versions", $"AlignLab {m.Versions.AlignLab}, {m.Versions.DotNet}, TorchSharp {m.Versions.TorchSharp}");
        Field("folder", run.Folder);
        output.WriteLine();
        output.WriteLine("config:");
        output.WriteLine(JsonSerializer.Serialize(m.Config, new JsonSerializerOptions { WriteIndented = true }));

        var final = run.FinalMetrics();
        output.WriteLine();
        if (final.Count == 0) output.WriteLine("final metrics: none logged");
        else
        {
            output.WriteLine($"final metrics ({run.Metrics.Count} records, last step {run.Metrics[^1].Step}):");
            output.Write(ResultTable.FromRows(final.Select(kv =>
                (IReadOnlyDictionary<string, object?>)new Dictionary<string, object?> { ["metric"] = kv.Key, ["value"] = kv.Value }).ToArray()).ToText());
        }
        if (run.Table is not null)
        {
            output.WriteLine();
            output.WriteLine("table:");
            output.Write(run.Table.ToText());
        }
        if (run.Charts.Count > 0)
        {
            output.WriteLine();
            output.WriteLine("charts:");
            foreach (var chart in run.Charts) output.WriteLine("  " + chart);
        }
    }

    /// <summary>
    /// Writes a table with one row per metric and one column per run (final metric values; "-" where a run did not log
    /// the metric), preceded by the runs' name, status and seed.
    /// </summary>
    public static void Compare(RunStore store, IReadOnlyList<string> ids, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(output);
        if (ids.Count < 2) throw new ArgumentException($"compare needs at least two runs (got {ids.Count}).", nameof(ids));
        var runs = ids.Select(store.Load).ToArray();
        var headers = runs.Select(r => r.Manifest.Id).ToArray();
        if (headers.Distinct().Count() != headers.Length) throw new ArgumentException("the same run is given twice.", nameof(ids));

        var finals = runs.Select(r => r.FinalMetrics()).ToArray();
        var rows = new List<IReadOnlyDictionary<string, object?>>
        {
            Row("name", runs.Select(r => (object?)r.Manifest.Name)),
            Row("status", runs.Select(r => (object?)r.Manifest.Status.ToString().ToLowerInvariant())),
            Row("seed", runs.Select(r => (object?)r.Manifest.Seed.ToString(CultureInfo.InvariantCulture))),
            Row("last step", runs.Select(r => r.Metrics.Count == 0 ? null : (object?)r.Metrics[^1].Step.ToString(CultureInfo.InvariantCulture))),
        };
        foreach (var metric in finals.SelectMany(f => f.Keys).Distinct().Order(StringComparer.Ordinal))
            rows.Add(Row(metric, finals.Select(f => f.TryGetValue(metric, out var v) ? (object?)v : null)));
        output.Write(new ResultTable(["metric", .. headers], rows).ToText());

        IReadOnlyDictionary<string, object?> Row(string label, IEnumerable<object?> values)
        {
            var row = new Dictionary<string, object?> { ["metric"] = label };
            foreach (var (header, value) in headers.Zip(values)) row[header] = value;
            return row;
        }
    }

    private static int Execute(ParseResult parseResult, Option<string> root, string verb, Action<RunStore, TextWriter> action)
    {
        var configuration = parseResult.InvocationConfiguration;
        try
        {
            var rootValue = parseResult.GetValue(root);
            var store = string.IsNullOrWhiteSpace(rootValue) ? RunStore.OpenDefault() : RunStore.Open(rootValue);
            action(store, configuration.Output);
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or JsonException)
        {
            configuration.Error.WriteLine($"alignlab runs {verb}: {UserMessage(e)}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The message of <paramref name="e"/> for a command-line user: an ArgumentException's " (Parameter 'x')" is noise there.</summary>
    internal static string UserMessage(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;

    private static string Duration(TimeSpan span) => span.TotalHours >= 1
        ? $"{(int)span.TotalHours}h{span.Minutes:00}m"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes}m{span.Seconds:00}s" : span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";
}
