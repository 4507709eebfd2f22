using System.Text.Json;

namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// One field whose value differs between the configuration a checkpoint (or run) was made with and the one asked for
/// now: the field's path (<c>LearningRate</c>, <c>method.Beta</c>, <c>methodSpecs[3].alpha</c>) and both values as JSON
/// text (null where the field is absent on that side). Resume compares configurations with <see cref="Find"/> and
/// refuses to continue on a difference unless the user overrides it.
/// </summary>
/// <param name="Field">Path of the field: property names joined by '.', array indices in brackets.</param>
/// <param name="Stored">The value in the checkpoint or run, as JSON text; null when the field is not there.</param>
/// <param name="Current">The value asked for now, as JSON text; null when the field is not there.</param>
public sealed record ConfigDifference(string Field, string? Stored, string? Current)
{
    /// <summary>
    /// Every field that differs between <paramref name="stored"/> and <paramref name="current"/>, in the order of the
    /// current configuration's fields (so the first one is the first field a reader of the config meets). Objects are
    /// compared field by field, arrays element by element, values by their JSON text. Fields whose path
    /// <paramref name="ignore"/> accepts are skipped (settings that cannot change the numbers, such as logging intervals).
    /// </summary>
    public static IReadOnlyList<ConfigDifference> Find(JsonElement stored, JsonElement current, Func<string, bool>? ignore = null)
    {
        var differences = new List<ConfigDifference>();
        Compare(stored, current, "", ignore ?? (_ => false), differences);
        return differences;
    }

    /// <summary>One line for an error or a log: <c>Field: Stored in the checkpoint, Current now</c>.</summary>
    public string Describe(string storedLabel = "in the checkpoint") =>
        $"{Field} is {Current ?? "absent"} now but {Stored ?? "absent"} {storedLabel}";

    /// <inheritdoc />
    public override string ToString() => Describe();

    private static void Compare(JsonElement? stored, JsonElement? current, string path, Func<string, bool> ignore, List<ConfigDifference> differences)
    {
        if (path.Length > 0 && ignore(path)) return;
        if (stored is { ValueKind: JsonValueKind.Object } a && current is { ValueKind: JsonValueKind.Object } b)
        {
            var storedFields = a.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
            foreach (var field in b.EnumerateObject())
                Compare(storedFields.Remove(field.Name, out var value) ? value : null, field.Value, Join(path, field.Name), ignore, differences);
            foreach (var (name, value) in storedFields) Compare(value, null, Join(path, name), ignore, differences);
            return;
        }
        if (stored is { ValueKind: JsonValueKind.Array } x && current is { ValueKind: JsonValueKind.Array } y)
        {
            var left = x.EnumerateArray().ToArray();
            var right = y.EnumerateArray().ToArray();
            for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
                Compare(i < left.Length ? left[i] : null, i < right.Length ? right[i] : null, $"{path}[{i}]", ignore, differences);
            return;
        }
        var storedText = stored?.GetRawText();
        var currentText = current?.GetRawText();
        if (!string.Equals(storedText, currentText, StringComparison.Ordinal))
            differences.Add(new ConfigDifference(path.Length == 0 ? "(config)" : path, storedText, currentText));
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
}
