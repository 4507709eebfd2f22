using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Dsl.Results;

/// <summary>
/// A run's final table (one row per method / setting, one column per metric), saved as <c>table.csv</c> and
/// <c>table.json</c>. Cell values are <c>null</c>, <see cref="string"/>, <see cref="bool"/> or <see cref="double"/>
/// (every numeric type is stored as a double), so a table loaded back equals the one written. JSON has no NaN or
/// infinity, so those are written as the strings "NaN", "Infinity", "-Infinity" and read back as doubles (a text cell
/// holding exactly one of those words therefore comes back as a number).
/// </summary>
public sealed class ResultTable
{
    /// <summary>Creates a table; every row key must be one of <paramref name="columns"/>, missing cells are null.</summary>
    public ResultTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var c = 0; c < columns.Count; c++)
        {
            if (string.IsNullOrWhiteSpace(columns[c])) throw new ArgumentException($"columns[{c}] is empty.", nameof(columns));
            if (!seen.Add(columns[c])) throw new ArgumentException($"columns[{c}] = '{columns[c]}' appears twice.", nameof(columns));
        }
        var normalised = new List<IReadOnlyDictionary<string, object?>>(rows.Count);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r] ?? throw new ArgumentException($"rows[{r}] is null.", nameof(rows));
            var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in row)
            {
                if (!seen.Contains(key)) throw new ArgumentException($"rows[{r}] has column '{key}', which is not in columns.", nameof(rows));
                cells[key] = Normalise(value, r, key);
            }
            foreach (var column in columns) cells.TryAdd(column, null);
            normalised.Add(cells);
        }
        Columns = columns.ToArray();
        Rows = normalised;
    }

    /// <summary>Column names in display order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Rows as column → value (null, string, bool or double); every row has every column.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, object?>> Rows { get; }

    /// <summary>A table whose columns are the rows' keys in order of first appearance.</summary>
    public static ResultTable FromRows(IReadOnlyList<IReadOnlyDictionary<string, object?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var r = 0; r < rows.Count; r++)
            foreach (var key in (rows[r] ?? throw new ArgumentException($"rows[{r}] is null.", nameof(rows))).Keys)
                if (seen.Add(key)) columns.Add(key);
        return new ResultTable(columns, rows);
    }

    /// <summary>The numeric values of column <paramref name="name"/>, one per row (for re-plotting).</summary>
    public IReadOnlyList<double> Column(string name)
    {
        if (!Columns.Contains(name)) throw new ArgumentException($"column '{name}' is not in the table (columns: {string.Join(", ", Columns)}).", nameof(name));
        var values = new double[Rows.Count];
        for (var r = 0; r < Rows.Count; r++)
            values[r] = Rows[r][name] is double d
                ? d
                : throw new ArgumentException($"column '{name}' row {r} holds {Describe(Rows[r][name])}, not a number.", nameof(name));
        return values;
    }

    /// <summary>The text values of column <paramref name="name"/> (numbers formatted invariantly, null as empty).</summary>
    public IReadOnlyList<string> TextColumn(string name)
    {
        if (!Columns.Contains(name)) throw new ArgumentException($"column '{name}' is not in the table (columns: {string.Join(", ", Columns)}).", nameof(name));
        return Rows.Select(row => Format(row[name])).ToArray();
    }

    /// <summary>RFC 4180 CSV with a header line; doubles in round-trip invariant format.</summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Columns.Select(Quote)).Append('\n');
        foreach (var row in Rows) text.AppendJoin(',', Columns.Select(c => Quote(Format(row[c])))).Append('\n');
        return text.ToString();
    }

    /// <summary><c>{"columns": [...], "rows": [{...}, ...]}</c>, indented.</summary>
    public string ToJson()
    {
        var rows = new JsonArray();
        foreach (var row in Rows)
        {
            var obj = new JsonObject();
            foreach (var column in Columns) obj[column] = ToNode(row[column]);
            rows.Add(obj);
        }
        var root = new JsonObject { ["columns"] = new JsonArray(Columns.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()), ["rows"] = rows };
        return root.ToJsonString(RunJson.Indented);
    }

    /// <summary>
    /// The table as aligned plain text for a terminal: a header, a rule, one line per row; numbers right-aligned with
    /// <paramref name="significantDigits"/> significant digits, text left-aligned, null as "-".
    /// </summary>
    public string ToText(int significantDigits = 6)
    {
        if (significantDigits is < 1 or > 17) throw new ArgumentException($"significantDigits must be in 1..17 (got {significantDigits}).", nameof(significantDigits));
        var format = "G" + significantDigits.ToString(CultureInfo.InvariantCulture);
        var cells = Rows.Select(row => Columns.Select(c => row[c] switch
        {
            null => "-",
            double d => d.ToString(format, CultureInfo.InvariantCulture),
            var v => Format(v),
        }).ToArray()).ToArray();
        var widths = Columns.Select((c, i) => Math.Max(c.Length, cells.Length == 0 ? 0 : cells.Max(row => row[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> parts) => text.Append(string.Join("  ", parts).TrimEnd()).Append('\n');
        Line(Columns.Select((c, i) => c.PadRight(widths[i])));
        Line(widths.Select(w => new string('-', w)));
        foreach (var (row, r) in cells.Select((row, r) => (row, r)))
            Line(row.Select((cell, i) => Rows[r][Columns[i]] is double ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i])));
        return text.ToString();
    }

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static ResultTable ParseJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var columns = document.RootElement.GetProperty("columns").EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
        var rows = new List<IReadOnlyDictionary<string, object?>>();
        foreach (var row in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            var cells = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var cell in row.EnumerateObject()) cells[cell.Name] = FromElement(cell.Value);
            rows.Add(cells);
        }
        return new ResultTable(columns, rows);
    }

    /// <summary>Formats a cell as text: invariant round-trip doubles, "true"/"false", empty for null.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        _ => value.ToString() ?? "",
    };

    private static object? Normalise(object? value, int row, string column) => value switch
    {
        null or string or bool => value,
        double d => d,
        float or int or long or short or byte or sbyte or uint or ulong or ushort or decimal
            => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => throw new ArgumentException(
            $"rows[{row}]['{column}'] = {value} is a {value.GetType().Name}; table cells must be null, string, bool or a number.", "rows"),
    };

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        // JSON has no NaN/∞: write them as strings, which FromElement reads back as doubles.
        double d when !double.IsFinite(d) => JsonValue.Create(d.ToString(CultureInfo.InvariantCulture)),
        double d => JsonValue.Create(d),
        _ => throw new InvalidOperationException($"unexpected cell type {value.GetType().Name}"),
    };

    private static object? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var s => s,
        },
        _ => element.GetRawText(),
    };

    private static string Quote(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : "\"" + text.Replace("\"", "\"\"") + "\"";

    private static string Describe(object? value) => value is null ? "null" : $"'{Format(value)}' ({value.GetType().Name})";
}
