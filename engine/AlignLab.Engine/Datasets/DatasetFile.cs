using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet.Serialization;

namespace AlignLab.Engine.Datasets;

/// <summary>
/// The rows of a JSONL file (one JSON object per line; blank lines ignored) or a Parquet file (<c>.parquet</c>), as
/// string fields by name with their 1-based line (row) numbers. A line that is not a JSON object yields a row with
/// <see cref="RawRow.Error"/> set, so the readers report it like any other bad row.
/// </summary>
internal static class DatasetFile
{
    /// <summary>A row: its line, its text fields (null: absent or not text), or why it could not be read.</summary>
    internal sealed record RawRow(int Line, IReadOnlyDictionary<string, string?> Fields, string? Error = null);

    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    public static IEnumerable<RawRow> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file '{path}' does not exist.", path);
        return IsParquet(path) ? ReadParquet(path) : ReadJsonLines(path);
    }

    private static IEnumerable<RawRow> ReadJsonLines(string path)
    {
        int line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            JsonObject? json;
            string? error = null;
            try
            {
                json = JsonNode.Parse(text) as JsonObject;
                if (json is null) error = "the line is not a JSON object.";
            }
            catch (JsonException e)
            {
                json = null;
                error = $"the line is not valid JSON ({e.Message}).";
            }
            var fields = new Dictionary<string, string?>();
            if (json is not null)
                foreach (var (name, value) in json)
                    fields[name] = value is JsonValue v && v.TryGetValue(out string? s) ? s : null;
            yield return new RawRow(line, fields, error);
        }
    }

    private static IEnumerable<RawRow> ReadParquet(string path)
    {
        IList<Dictionary<string, object>> rows;
        using (var stream = File.OpenRead(path))
        {
            try
            {
                // The whole file at once: prompt and preference sets are small next to the models that read them.
                rows = ParquetSerializer.DeserializeUntypedAsync(stream).GetAwaiter().GetResult().Data;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new InvalidDataException($"'{path}' is not a readable Parquet file ({e.Message}).", e);
            }
        }
        for (int r = 0; r < rows.Count; r++)
            yield return new RawRow(r + 1, rows[r].ToDictionary(f => f.Key, f => f.Value as string));
    }
}
