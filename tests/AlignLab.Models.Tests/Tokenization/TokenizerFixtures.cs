using System.Text.Json.Nodes;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// The committed tokenizer fixtures (Fixtures/, made by the Python scripts beside them) and scratch copies of them
/// that a test may edit.
/// </summary>
public sealed class TokenizerFixtures : IDisposable
{
    /// <summary>The tiny Llama-3-shaped byte-level BPE folder (make_bytelevel_fixture.py).</summary>
    public static string ByteLevel => Path.Combine(AppContext.BaseDirectory, "Tokenization", "Fixtures", "bytelevel");

    /// <summary>The tiny SentencePiece folder and the reference library's ids (make_sentencepiece_fixture.py).</summary>
    public static string SentencePiece => Path.Combine(AppContext.BaseDirectory, "Tokenization", "Fixtures", "sentencepiece");

    private readonly string _root = Directory.CreateTempSubdirectory("alignlab-tok-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>An empty scratch folder.</summary>
    public string EmptyFolder()
    {
        var folder = Path.Combine(_root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A scratch copy of <paramref name="fixture"/>.</summary>
    public string CopyOf(string fixture)
    {
        var folder = EmptyFolder();
        foreach (var file in Directory.GetFiles(fixture)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        return folder;
    }

    /// <summary>Rewrites the JSON file <paramref name="name"/> of <paramref name="folder"/> (creating it as {} when absent).</summary>
    public static void Edit(string folder, string name, Action<JsonObject> edit)
    {
        var path = Path.Combine(folder, name);
        var json = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : new JsonObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
