using System.Text.Json.Nodes;

namespace AlignLab.Cli.Tests.Notebooks;

/// <summary>Builds small nbformat 4 notebooks for the runner's tests, and reads executed ones back.</summary>
public static class TestNotebook
{
    /// <summary>A C# code cell (Polyglot metadata) with <paramref name="source"/>.</summary>
    public static JsonObject Code(string source) => new()
    {
        ["cell_type"] = "code",
        ["execution_count"] = null,
        ["metadata"] = new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = "csharp" } },
        ["outputs"] = new JsonArray(),
        ["source"] = source,
    };

    /// <summary>A markdown cell, its source as a list of lines like Jupyter writes it.</summary>
    public static JsonObject Markdown(params string[] lines) => new()
    {
        ["cell_type"] = "markdown",
        ["metadata"] = new JsonObject(),
        ["source"] = new JsonArray([.. lines.Select(l => (JsonNode?)l)]),
    };

    /// <summary>A notebook with a .NET C# kernelspec and <paramref name="cells"/>, as JSON text.</summary>
    public static string Json(params JsonObject[] cells) => new JsonObject
    {
        ["cells"] = new JsonArray(cells),
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = ".net-csharp" },
        },
        ["nbformat"] = 4,
        ["nbformat_minor"] = 4,
    }.ToJsonString();

    /// <summary>Parses an executed notebook's file.</summary>
    public static JsonObject Read(string path) => JsonNode.Parse(File.ReadAllText(path))!.AsObject();

    /// <summary>The cell at 0-based <paramref name="index"/>.</summary>
    public static JsonObject Cell(JsonObject notebook, int index) => notebook["cells"]![index]!.AsObject();

    /// <summary>A cell's outputs.</summary>
    public static IReadOnlyList<JsonObject> Outputs(JsonObject cell) => [.. cell["outputs"]!.AsArray().Select(o => o!.AsObject())];

    /// <summary>An nbformat multi-line text field (string or list of lines) as one string.</summary>
    public static string Text(JsonNode? node) =>
        node is JsonArray lines ? string.Concat(lines.Select(l => l!.GetValue<string>())) : node?.GetValue<string>() ?? "";

    /// <summary>The text of a cell's stream output named <paramref name="name"/> ("" when none).</summary>
    public static string Stream(JsonObject cell, string name = "stdout") =>
        string.Concat(Outputs(cell).Where(o => (string?)o["output_type"] == "stream" && (string?)o["name"] == name).Select(o => Text(o["text"])));

    /// <summary>The <paramref name="mime"/> entry of a cell's execute_result (null when none).</summary>
    public static string? Result(JsonObject cell, string mime = "text/plain") =>
        Outputs(cell).Where(o => (string?)o["output_type"] == "execute_result").Select(o => o["data"]![mime]).Where(d => d is not null)
            .Select(Text).FirstOrDefault();
}
