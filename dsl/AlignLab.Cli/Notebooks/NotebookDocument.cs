using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl.Results;

namespace AlignLab.Cli.Notebooks;

/// <summary>
/// A .NET Interactive (Polyglot) notebook in the nbformat 4 JSON format: its cells, its default kernel, and the JSON
/// itself, which the runner fills with outputs and writes back. Everything it does not interpret (metadata, cell ids,
/// markdown) is written back unchanged.
/// </summary>
public sealed class NotebookDocument
{
    private readonly JsonObject json;

    private NotebookDocument(string path, JsonObject json, string defaultLanguage, IReadOnlyList<NotebookCell> cells)
    {
        Path = path;
        this.json = json;
        DefaultLanguage = defaultLanguage;
        Cells = cells;
    }

    /// <summary>The notebook file the document was read from (absolute).</summary>
    public string Path { get; }

    /// <summary>
    /// The kernel of cells without their own language metadata: the notebook's <c>polyglot_notebook.kernelInfo.defaultKernelName</c>,
    /// else its <c>kernelspec</c> (<c>.net-csharp</c> → <c>csharp</c>), else <c>csharp</c>.
    /// </summary>
    public string DefaultLanguage { get; }

    /// <summary>The cells in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>
    /// Reads a notebook. Throws <see cref="InvalidDataException"/> naming the file when it is not nbformat 4 JSON
    /// (not JSON, no <c>cells</c> array, a cell that is not an object, nbformat other than 4).
    /// </summary>
    public static NotebookDocument Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(full)) as JsonObject
                ?? throw new InvalidDataException($"{full}: not a notebook: the JSON document is not an object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{full}: not a notebook: invalid JSON ({e.Message})", e);
        }
        if (json["nbformat"] is JsonValue format && format.TryGetValue(out int major) && major != 4)
            throw new InvalidDataException($"{full}: nbformat {major} is not supported; expected nbformat 4.");
        if (json["cells"] is not JsonArray cells)
            throw new InvalidDataException($"{full}: not a notebook: no \"cells\" array.");
        json["nbformat"] = 4;
        json["nbformat_minor"] ??= 4;
        json["metadata"] ??= new JsonObject();

        string language = DefaultKernel(json["metadata"]!.AsObject());
        var list = new List<NotebookCell>();
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is not JsonObject cell) throw new InvalidDataException($"{full}: cell {i + 1} is not a JSON object.");
            list.Add(new NotebookCell(cell, i + 1, language));
        }
        return new NotebookDocument(full, json, language, list);
    }

    /// <summary>The notebook as nbformat 4 JSON, in Jupyter's layout (one-space indent).</summary>
    public string ToJson() => json.ToJsonString(NotebookJson.WriteOptions) + "\n";

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (temp file + rename) and returns the full path.</summary>
    public string Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = System.IO.Path.GetFullPath(path);
        AtomicFile.WriteAllText(full, ToJson());
        return full;
    }

    private static string DefaultKernel(JsonObject metadata)
    {
        if ((metadata["polyglot_notebook"] as JsonObject)?["kernelInfo"] is JsonObject info
            && info["defaultKernelName"] is JsonValue polyglot && polyglot.TryGetValue(out string? name))
            return NotebookJson.KernelName(name);
        if (metadata["kernelspec"] is JsonObject spec
            && (spec["name"] ?? spec["language"]) is JsonValue kernel && kernel.TryGetValue(out string? kernelName))
            return NotebookJson.KernelName(kernelName);
        return "csharp";
    }
}
