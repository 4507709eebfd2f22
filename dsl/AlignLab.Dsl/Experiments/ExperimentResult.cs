using AlignLab.Dsl.Plots;
using AlignLab.Dsl.Results;

namespace AlignLab.Dsl;

/// <summary>
/// What <see cref="Experiment.Run()"/> returns: one <see cref="ExperimentRow"/> per method, the frontier curves, the
/// frontier chart (analytic curves as lines, methods as points), the table as written to the run folder, and the run's id
/// and folder in the run store.
/// </summary>
/// <param name="Experiment">The experiment that ran.</param>
/// <param name="Rows">One row per method, in the order compared.</param>
/// <param name="Frontiers">The analytic frontiers, prompt-averaged, in (KL, win rate).</param>
/// <param name="Chart">The frontier chart.</param>
/// <param name="Table">The result table (columns: method, kind, parameters, the chosen metrics, frontier comparisons).</param>
/// <param name="RunId">The run's id in the run store.</param>
/// <param name="RunFolder">The run's folder (run.json, metrics.jsonl, table.csv/json, charts/frontier.html).</param>
/// <param name="Compute">The device, dtype, threads and seed the run actually used, e.g. <c>cpu, Float32, 2 threads, seed 0</c>.</param>
public sealed record ExperimentResult(
    Experiment Experiment, IReadOnlyList<ExperimentRow> Rows, IReadOnlyList<FrontierCurve> Frontiers, PlotlyChart Chart,
    ResultTable Table, string RunId, string RunFolder, string Compute)
{
    /// <summary>The row called <paramref name="method"/>; throws <see cref="ArgumentException"/> listing the row names when there is none.</summary>
    public ExperimentRow Row(string method) =>
        Rows.FirstOrDefault(r => r.Method == method)
        ?? throw new ArgumentException($"No row '{method}'; rows: {string.Join(", ", Rows.Select(r => r.Method))}.", nameof(method));

    /// <summary>Writes table.csv, table.json and frontier.html into <paramref name="folder"/> (created; each file atomically); returns the folder's full path.</summary>
    public string Save(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new ArgumentException($"folder must be a folder path (got '{folder}').", nameof(folder));
        var full = Directory.CreateDirectory(folder).FullName;
        AtomicFile.WriteAllText(Path.Combine(full, RunWriter.TableCsvFile), Table.ToCsv());
        AtomicFile.WriteAllText(Path.Combine(full, RunWriter.TableJsonFile), Table.ToJson());
        Chart.Save(Path.Combine(full, "frontier.html"));
        return full;
    }

    /// <summary>Prints the table as aligned text, line by line, to <paramref name="writeLine"/> (default the console).</summary>
    public void Print(Action<string>? writeLine = null)
    {
        writeLine ??= Console.WriteLine;
        writeLine($"{Experiment.Name} (run {RunId}, seed {Experiment.Seed}) on {Experiment.TaskName}; compute: {Compute}");
        foreach (var line in Table.ToText(4).Split('\n')) writeLine(line.TrimEnd('\r'));
    }
}
