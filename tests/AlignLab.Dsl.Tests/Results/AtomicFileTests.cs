using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class AtomicFileTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-atomic-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void WriteAllText_CreatesTheFolder_AndWritesUtf8WithoutBom()
    {
        var path = Path.Combine(folder.FullName, "x", "y.txt");

        AtomicFile.WriteAllText(path, "π ‖ p");

        Assert.Equal("π ‖ p"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void WriteAllText_ReplacesTheFile_AndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(folder.FullName, "a.txt");
        AtomicFile.WriteAllText(path, "old content that is longer");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["a.txt"], Directory.GetFiles(folder.FullName).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ConcurrentReader_SeesOnlyWholeVersions_NeverAPartialFile()
    {
        var path = Path.Combine(folder.FullName, "big.txt");
        const int size = 2_000_000;
        var versions = new[] { new string('a', size), new string('b', size) };
        AtomicFile.WriteAllText(path, versions[0]);
        var reads = 0;
        var partial = new List<string>();
        using var stop = new CancellationTokenSource();

        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var text = File.ReadAllText(path);
                Interlocked.Increment(ref reads);
                if (text != versions[0] && text != versions[1]) partial.Add($"length {text.Length}, starts '{text[..Math.Min(1, text.Length)]}'");
            }
        });
        // Keep replacing the file until the reader has raced many writes (bounded in time for a slow machine).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var i = 0; (i < 40 || Volatile.Read(ref reads) < 40) && DateTime.UtcNow < deadline; i++)
            AtomicFile.WriteAllText(path, versions[i % 2]);
        stop.Cancel();
        await reader;

        Assert.True(reads >= 40, $"only {reads} reads raced the writes");
        Assert.Empty(partial);
    }

    [Fact]
    public void FailedWrite_KeepsTheOldFile_AndRemovesItsTemporaryFile()
    {
        // The target is a folder, so the final rename fails after the temporary file was written.
        var target = Path.Combine(folder.FullName, "target");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "inside.txt"), "kept");

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllText(target, "new"));

        Assert.Equal("kept", File.ReadAllText(Path.Combine(target, "inside.txt")));
        Assert.Empty(Directory.GetFiles(folder.FullName));
    }

    [Theory]
    [InlineData(".index.json.0123abcd.tmp", true)]
    [InlineData("index.json", false)]
    [InlineData("notes.tmp", false)]
    public void IsTemporaryFile_RecognisesOnlyItsOwnTemporaryNames(string name, bool expected) =>
        Assert.Equal(expected, AtomicFile.IsTemporaryFile(Path.Combine(folder.FullName, name)));

    [Fact]
    public void WriteAllText_RejectsAnEmptyPath() =>
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => AtomicFile.WriteAllText("", "x")).ParamName);
}
