using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Dsl;

/// <summary>
/// A best-of-n data file: JSON Lines, one <see cref="BestOfNRecord"/> per prompt in index order, fields in snake_case
/// (<c>index, line, prompt, samples[{text, ids, finished, reward, log_prob, sampling_log_prob}], best, worst</c>).
/// Records are appended and flushed one at a time, so a killed run leaves whole records plus at most one partial
/// last line; <see cref="Resume"/> drops that line and says where to continue.
/// </summary>
public static class BestOfNFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>One record as its JSON line (no newline).</summary>
    public static string ToJsonLine(BestOfNRecord record) => JsonSerializer.Serialize(record, Json);

    /// <summary>Reads every record of <paramref name="path"/>.</summary>
    public static IReadOnlyList<BestOfNRecord> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(Parse).ToArray();

    /// <summary>The record of one JSON line; <see cref="JsonException"/> when the line is not one.</summary>
    public static BestOfNRecord Parse(string line) =>
        JsonSerializer.Deserialize<BestOfNRecord>(line, Json) ?? throw new JsonException("the line is null, not a record.");

    /// <summary>
    /// The number of whole records in <paramref name="path"/> (0 when it does not exist), after cutting off a partial
    /// last line (one without its newline). Throws <see cref="InvalidDataException"/> when a whole line is not the
    /// record of the index it should hold, or its prompt is not <paramref name="promptAt"/>(index): the file belongs
    /// to another prompt set or is damaged, and continuing would mix runs.
    /// </summary>
    public static int Resume(string path, Func<int, string?> promptAt)
    {
        if (!File.Exists(path)) return 0;
        var bytes = File.ReadAllBytes(path);
        int end = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (end < bytes.Length)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
            file.SetLength(end);
        }
        int count = 0;
        foreach (var line in Encoding.UTF8.GetString(bytes, 0, end).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            BestOfNRecord? record;
            try
            {
                record = JsonSerializer.Deserialize<BestOfNRecord>(line, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{count + 1}: not a best-of-n record ({e.Message}).", e);
            }
            if (record is null || record.Index != count)
                throw new InvalidDataException($"{path}:{count + 1}: holds the record of prompt {record?.Index} where prompt {count} belongs; the file is not a best-of-n run to continue.");
            if (promptAt(count) != record.Prompt)
                throw new InvalidDataException($"{path}:{count + 1}: prompt {count} differs from the prompt file's; the file was built from other prompts.");
            count++;
        }
        return count;
    }

    /// <summary>The settings file kept beside best-of-n file <paramref name="path"/>: <c>PATH.settings.json</c>.</summary>
    public static string SettingsPath(string path) => path + ".settings.json";

    /// <summary>
    /// Refuses to continue <paramref name="path"/> when it holds records but was built with other
    /// <paramref name="settings"/> (the arguments that decide the records), or its settings file is lost: the records
    /// would mix two runs. Throws <see cref="ArgumentException"/> naming the first differing setting.
    /// </summary>
    public static void CheckSettings(string path, JsonObject settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(path) || new FileInfo(path).Length == 0) return;
        var settingsPath = SettingsPath(path);
        if (!File.Exists(settingsPath))
            throw new ArgumentException($"{path} exists but {settingsPath} does not, so it cannot be continued safely; delete it or choose another output.");
        var previous = JsonNode.Parse(File.ReadAllText(settingsPath)) as JsonObject ?? new JsonObject();
        foreach (var (name, value) in settings)
        {
            if (!JsonNode.DeepEquals(previous[name], value))
                throw new ArgumentException($"{path} was started with {name} {previous[name]?.ToJsonString() ?? "unset"}, not {value?.ToJsonString()}; continue with the same settings, or choose another output.");
        }
    }

    /// <summary>Writes <paramref name="settings"/> beside <paramref name="path"/> (atomically), for <see cref="CheckSettings"/>.</summary>
    public static void WriteSettings(string path, JsonObject settings) =>
        Results.AtomicFile.WriteAllText(SettingsPath(path), settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>Appends <paramref name="record"/> as one line and flushes it to disk.</summary>
    public static void Append(FileStream file, BestOfNRecord record)
    {
        var line = Encoding.UTF8.GetBytes(ToJsonLine(record) + "\n");
        file.Write(line);
        file.Flush(flushToDisk: true);
    }
}
