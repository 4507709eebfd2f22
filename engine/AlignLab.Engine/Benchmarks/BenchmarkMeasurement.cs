namespace AlignLab.Engine.Benchmarks;

/// <summary>One measured quantity of a benchmark: <see cref="Name"/>, <see cref="Value"/> in <see cref="Unit"/>.</summary>
public sealed record BenchmarkMeasurement(string Name, double Value, string Unit)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name,-48} {Value,14:G5} {Unit}";

    /// <summary>
    /// Prints <paramref name="results"/> one per line under <paramref name="title"/> (null: continues the previous
    /// section) and flushes, so long benchmarks show each figure as it is measured; returns the results.
    /// </summary>
    public static IReadOnlyList<BenchmarkMeasurement> PrintSection(TextWriter output, string? title, IReadOnlyList<BenchmarkMeasurement> results)
    {
        if (title is not null)
        {
            output.WriteLine();
            output.WriteLine(title);
        }
        foreach (var r in results) output.WriteLine("  " + r);
        output.Flush();
        return results;
    }
}
