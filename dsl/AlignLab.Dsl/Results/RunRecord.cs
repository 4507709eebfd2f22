namespace AlignLab.Dsl.Results;

/// <summary>Everything a finished (or crashed) run left behind, loaded back for re-plotting or comparison without re-training.</summary>
/// <param name="Manifest">Identity, seed, configuration, versions and commit.</param>
/// <param name="Folder">Full path of the run folder.</param>
/// <param name="Metrics">The lines of <c>metrics.jsonl</c> in the order logged.</param>
/// <param name="Table">The final table, or null if the run wrote none.</param>
/// <param name="Charts">Full paths of the saved charts (<c>charts/*.html</c>), sorted by name.</param>
public sealed record RunRecord(RunManifest Manifest, string Folder, IReadOnlyList<MetricRecord> Metrics, ResultTable? Table,
    IReadOnlyList<string> Charts)
{
    /// <summary>
    /// The last logged value of each metric (the run's final metrics), by name; metrics never logged are absent.
    /// Used by <c>alignlab runs compare</c>.
    /// </summary>
    public IReadOnlyDictionary<string, double> FinalMetrics()
    {
        var last = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var record in Metrics)
            foreach (var (name, value) in record.Values)
                last[name] = value;
        return last;
    }

    /// <summary>The steps and values of one metric over the run, for a <see cref="Plots.TrainingCurve"/>.</summary>
    public Plots.TrainingCurve Curve(string metric)
    {
        if (string.IsNullOrWhiteSpace(metric)) throw new ArgumentException("metric must name a logged metric.", nameof(metric));
        var points = Metrics.Where(m => m.Values.ContainsKey(metric)).ToArray();
        if (points.Length == 0) throw new ArgumentException($"metric '{metric}' was never logged in run {Manifest.Id}.", nameof(metric));
        return new Plots.TrainingCurve(Manifest.Name, points.Select(p => (double)p.Step).ToArray(), points.Select(p => p.Values[metric]).ToArray());
    }
}
