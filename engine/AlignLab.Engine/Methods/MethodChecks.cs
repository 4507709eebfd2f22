namespace AlignLab.Engine.Methods;

/// <summary>Argument checks shared by the method configs; messages name the field and its value.</summary>
internal static class MethodChecks
{
    public static void AtLeast(int value, int minimum, string name)
    {
        if (value < minimum) throw new ArgumentException($"{name} must be >= {minimum} (got {value}).", name);
    }

    public static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be > 0 and finite (got {value}).", name);
    }

    public static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be >= 0 and finite (got {value}).", name);
    }

    public static void UnitInterval(double value, string name)
    {
        if (!(value >= 0 && value <= 1)) throw new ArgumentException($"{name} must be in [0, 1] (got {value}).", name);
    }
}
