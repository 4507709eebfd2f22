using System.Text.Json;

namespace AlignLab.Models.Tokenization;

/// <summary>Reads the JSON files of a model folder; a malformed file is an error that names it.</summary>
internal static class TokenizerFiles
{
    /// <summary>The parsed file, or null when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not valid JSON or not a JSON object.</exception>
    public static JsonElement? ReadOptional(string path)
    {
        if (!File.Exists(path)) return null;
        JsonElement root;
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: expected a JSON object, got {root.ValueKind}.");
        return root;
    }

    /// <summary>The string property <paramref name="name"/>, or null when absent or JSON null.</summary>
    public static string? String(JsonElement obj, string name, string path) =>
        Property(obj, name) is { } value
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw Bad(path, name, "a string", value)
            : null;

    /// <summary>The boolean property <paramref name="name"/>, or null when absent or JSON null.</summary>
    public static bool? Bool(JsonElement obj, string name, string path) =>
        Property(obj, name) is { } value
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Bad(path, name, "true or false", value),
            }
            : null;

    /// <summary>The non-negative integer property <paramref name="name"/>, or null when absent or JSON null.</summary>
    public static int? OptionalId(JsonElement obj, string name, string path) =>
        Property(obj, name) is { } value ? Id(value, name, path) : null;

    /// <summary>A non-negative integer (a token id).</summary>
    public static int Id(JsonElement value, string name, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var id) && id >= 0
            ? id
            : throw Bad(path, name, "a non-negative integer token id", value);

    /// <summary>The property <paramref name="name"/>, or null when absent or JSON null.</summary>
    public static JsonElement? Property(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    /// <summary>The error for a value of the wrong kind.</summary>
    public static InvalidDataException Bad(string path, string name, string expected, JsonElement got) =>
        new($"{path}: \"{name}\" must be {expected}, got {Describe(got)}.");

    private static string Describe(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}
