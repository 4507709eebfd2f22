namespace AlignLab.Dsl.Results;

/// <summary>
/// Writes a whole folder atomically: its files go into a temporary sibling folder, which is renamed to the target only
/// once complete. A reader (or a crash) sees no folder or the complete one, never a part; a killed write leaves only a
/// hidden temporary folder (<c>.NAME.GUID.tmp</c>), which the next write does not reuse.
/// </summary>
public static class AtomicFolder
{
    /// <summary>
    /// Creates <paramref name="folder"/> with the files <paramref name="write"/> puts in the (empty) folder it is given.
    /// An empty <paramref name="folder"/> is replaced; an existing non-empty one is an <see cref="IOException"/>.
    /// </summary>
    public static void Write(string folder, Action<string> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{folder}' has no parent folder.", nameof(folder));
        Directory.CreateDirectory(parent);
        // Same parent, so the rename never crosses file systems (rename is atomic only within one).
        var temp = Path.Combine(parent, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temp);
        try
        {
            write(temp);
            if (Directory.Exists(full))
            {
                if (Directory.EnumerateFileSystemEntries(full).Any()) throw new IOException($"'{full}' already exists and is not empty.");
                Directory.Delete(full);
            }
            Directory.Move(temp, full);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try { Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
