namespace AlignLab.Dsl.Plots;

/// <summary>Argument checks shared by the chart builders; messages name the parameter, the index and the value.</summary>
internal static class ChartInput
{
    public static void RequireSeries(string parameter, int item, string name, string field, IReadOnlyList<double>? values, int expectedCount)
    {
        if (values is null) throw new ArgumentException($"{parameter}[{item}] ('{name}'): {field} is null.", parameter);
        if (values.Count != expectedCount)
            throw new ArgumentException($"{parameter}[{item}] ('{name}'): {field} has {values.Count} values but {expectedCount} were expected.", parameter);
        for (var i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{parameter}[{item}] ('{name}'): {field}[{i}] = {values[i]} is not a finite number.", parameter);
    }

    public static void RequireStdErrs(string parameter, int item, string name, string field, IReadOnlyList<double> values)
    {
        for (var i = 0; i < values.Count; i++)
            if (!(values[i] >= 0) || double.IsInfinity(values[i]))
                throw new ArgumentException($"{parameter}[{item}] ('{name}'): {field}[{i}] = {values[i]} must be a finite standard error ≥ 0.", parameter);
    }

    public static void RequireFinite(string parameter, int item, string name, string field, double value, bool nonNegative)
    {
        if (!double.IsFinite(value) || (nonNegative && value < 0))
            throw new ArgumentException(
                $"{parameter}[{item}] ('{name}'): {field} = {value} must be a finite number{(nonNegative ? " ≥ 0" : "")}.", parameter);
    }

    public static void RequireName(string parameter, int item, string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException($"{parameter}[{item}]: the name is empty.", parameter);
    }
}
