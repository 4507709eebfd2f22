using System.Text.Json.Nodes;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// One cell of an nbformat 4 notebook, a view over its JSON object (fields the runner does not know are kept as they are).
/// </summary>
public sealed class NotebookCell
{
    private readonly JsonObject json;

    internal NotebookCell(JsonObject json, int number, string defaultLanguage)
    {
        this.json = json;
        Number = number;
        Language = CellLanguage(json) ?? defaultLanguage;
    }

    /// <summary>The cell's 1-based position in the notebook, counting every cell (markdown too).</summary>
    public int Number { get; }

    /// <summary>The nbformat cell type: <c>code</c>, <c>markdown</c> or <c>raw</c>.</summary>
    public string CellType => json["cell_type"]?.GetValue<string>() ?? "";

    /// <summary>
    /// The .NET Interactive kernel of a code cell, lower case (<c>csharp</c>, <c>fsharp</c>, …): the cell's
    /// <c>polyglot_notebook.kernelName</c> or <c>dotnet_interactive.language</c> metadata, else the notebook's default.
    /// A <c>#!fsharp</c>-style first line can still switch it (see <see cref="CellMagics"/>).
    /// </summary>
    public string Language { get; }

    /// <summary>The cell's source text (nbformat stores it as one string or a list of lines).</summary>
    public string Source => NotebookJson.ReadText(json["source"]);

    /// <summary>Replaces the cell's outputs and execution count (null: the cell was not run).</summary>
    internal void SetResult(int? executionCount, JsonArray outputs)
    {
        json["execution_count"] = executionCount;
        json["outputs"] = outputs;
    }

    private static string? CellLanguage(JsonObject cell)
    {
        var metadata = cell["metadata"] as JsonObject;
        var name = (metadata?["polyglot_notebook"] as JsonObject)?["kernelName"] ?? (metadata?["dotnet_interactive"] as JsonObject)?["language"];
        return name is JsonValue value && value.TryGetValue(out string? text) ? NotebookJson.KernelName(text) : null;
    }
}
