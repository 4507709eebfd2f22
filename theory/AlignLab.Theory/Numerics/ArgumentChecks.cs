using System.Globalization;

namespace AlignLab.Theory;

/// <summary>Argument checks for public entry points; every message names the parameter, the index and the value.</summary>
internal static class ArgumentChecks
{
    /// <summary>Formats a number the same way in every culture.</summary>
    public static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static void NotNull(object? value, string name)
    {
        if (value is null) throw new ArgumentException($"{name} is null.", name);
    }

    public static void NotEmpty<T>(IReadOnlyList<T> values, string name)
    {
        NotNull(values, name);
        if (values.Count == 0) throw new ArgumentException($"{name} is empty: at least one outcome is needed.", name);
    }

    public static void SameLength<TA, TB>(IReadOnlyList<TA> a, string nameA, IReadOnlyList<TB> b, string nameB)
    {
        if (a.Count != b.Count)
            throw new ArgumentException(
                $"{nameA} has {a.Count} entries but {nameB} has {b.Count}; they must have one entry per outcome.", nameB);
    }

    public static void AllFinite(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] = {Show(values[i])} is not a finite number.", name);
    }

    public static void AllFiniteNonNegative(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException($"{name}[{i}] = {Show(v)} is not a finite number.", name);
            if (v < 0.0)
                throw new ArgumentException($"{name}[{i}] = {Show(v)} is negative; probabilities must be >= 0.", name);
        }
    }

    /// <summary>Checks finite, ≥ 0 entries summing to 1 within 1e-9 and returns the sum.</summary>
    public static double ProbabilityVector(IReadOnlyList<double> values, string name)
    {
        NotEmpty(values, name);
        AllFiniteNonNegative(values, name);
        double sum = KahanSum(values);
        if (Math.Abs(sum - 1.0) > 1e-9)
            throw new ArgumentException(
                $"{name} sums to {Show(sum)}, not 1 (tolerance 1e-9); normalise unnormalised weights first " +
                "(RewardDistribution.Normalize).", name);
        return sum;
    }

    public static void AtLeast(double value, double minimum, string name)
    {
        if (!double.IsFinite(value) || value < minimum)
            throw new ArgumentException($"{name} = {Show(value)} must be a finite number >= {Show(minimum)}.", name);
    }

    public static void Positive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0.0)
            throw new ArgumentException($"{name} = {Show(value)} must be a finite number > 0.", name);
    }

    public static void UnitInterval(double value, string name)
    {
        if (!(value >= 0.0 && value <= 1.0))
            throw new ArgumentException($"{name} = {Show(value)} must lie in [0, 1].", name);
    }

    public static double KahanSum(IReadOnlyList<double> values)
    {
        double sum = 0.0, carry = 0.0;
        for (int i = 0; i < values.Count; i++)
        {
            double y = values[i] - carry;
            double t = sum + y;
            carry = (t - sum) - y;
            sum = t;
        }
        return sum;
    }
}
