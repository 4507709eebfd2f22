namespace AlignLab.Engine.Benchmarks;

/// <summary>One measured quantity of a benchmark: <see cref="Name"/>, <see cref="Value"/> in <see cref="Unit"/>.</summary>
public sealed record BenchmarkMeasurement(string Name, double Value, string Unit)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name,-48} {Value,14:G5} {Unit}";
}
