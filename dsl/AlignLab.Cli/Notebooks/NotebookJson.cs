using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Cli.Notebooks;

/// <summary>The small pieces of the nbformat 4 JSON format the notebook runner reads and writes.</summary>
internal static class NotebookJson
{
    /// <summary>Jupyter's own layout: one-space indent, HTML and non-ASCII text left readable.</summary>
    public static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        IndentSize = 1,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A multi-line text field, stored either as one string or as a list of strings (lines with their newlines).</summary>
    public static string ReadText(JsonNode? node) => node switch
    {
        null => "",
        JsonArray lines => string.Concat(lines.Select(l => l?.GetValue<string>() ?? "")),
        _ => node.GetValue<string>(),
    };

    /// <summary>Text as nbformat's list of lines, each but the last keeping its <c>\n</c>.</summary>
    public static JsonArray Lines(string text)
    {
        var array = new JsonArray();
        int start = 0;
        while (start < text.Length)
        {
            int end = text.IndexOf('\n', start);
            end = end < 0 ? text.Length : end + 1;
            array.Add(text[start..end]);
            start = end;
        }
        return array;
    }

    /// <summary>A .NET Interactive kernel or language name in the runner's lower-case form (<c>C#</c> and <c>.net-csharp</c> are <c>csharp</c>).</summary>
    public static string KernelName(string name) => name.Trim().ToLowerInvariant() switch
    {
        "c#" or "cs" or ".net-csharp" => "csharp",
        "f#" or "fs" or ".net-fsharp" => "fsharp",
        "pwsh" or ".net-pwsh" or ".net-powershell" => "pwsh",
        var other => other,
    };

    /// <summary>A <c>stream</c> output (<c>stdout</c> or <c>stderr</c>).</summary>
    public static JsonObject Stream(string name, string text) =>
        new() { ["name"] = name, ["output_type"] = "stream", ["text"] = Lines(text) };

    /// <summary>An <c>execute_result</c> output with one entry per MIME type.</summary>
    public static JsonObject ExecuteResult(int executionCount, IReadOnlyDictionary<string, string> data)
    {
        var bundle = new JsonObject();
        foreach (var (mime, text) in data) bundle[mime] = Lines(text);
        return new() { ["data"] = bundle, ["execution_count"] = executionCount, ["metadata"] = new JsonObject(), ["output_type"] = "execute_result" };
    }

    /// <summary>An <c>error</c> output.</summary>
    public static JsonObject Error(string name, string value, IReadOnlyList<string> traceback) =>
        new() { ["ename"] = name, ["evalue"] = value, ["output_type"] = "error", ["traceback"] = new JsonArray([.. traceback.Select(t => (JsonNode?)t)]) };
}
