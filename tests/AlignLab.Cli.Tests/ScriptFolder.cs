using System.Runtime.CompilerServices;

namespace AlignLab.Cli.Tests;

/// <summary>A temporary folder holding test scripts and their output; deleted on dispose.</summary>
public sealed class ScriptFolder : IDisposable
{
    /// <summary>Creates an empty temporary folder.</summary>
    public ScriptFolder() => Path = Directory.CreateTempSubdirectory("alignlab-cli-test-").FullName;

    /// <summary>The folder's absolute path.</summary>
    public string Path { get; }

    /// <summary>An output folder inside this one (not yet created).</summary>
    public string Out => System.IO.Path.Combine(Path, "out");

    /// <summary>Writes <paramref name="text"/> to <paramref name="name"/> in the folder and returns its path.</summary>
    public string Write(string name, string text)
    {
        string file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    /// <summary>
    /// The repository root, found from this source file's own location (tests/AlignLab.Cli.Tests/ScriptFolder.cs), so
    /// it is the same from whichever test folder it is called.
    /// </summary>
    public static string RepositoryRoot() =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(ThisSourceFile())!, "..", ".."));

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;

    /// <inheritdoc/>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
