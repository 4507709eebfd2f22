using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

/// <summary><see cref="AtomicFolder.Write"/>: the folder appears complete or not at all.</summary>
public sealed class AtomicFolderTests : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("alignlab-atomic-folder-");

    public void Dispose() => root.Delete(recursive: true);

    [Fact]
    public void The_folder_appears_with_every_file_and_no_temporary_folder_is_left()
    {
        var target = Path.Combine(root.FullName, "a", "out");
        AtomicFolder.Write(target, temp =>
        {
            Assert.False(Directory.Exists(target));
            File.WriteAllText(Path.Combine(temp, "one.txt"), "1");
            Directory.CreateDirectory(Path.Combine(temp, "sub"));
            File.WriteAllText(Path.Combine(temp, "sub", "two.txt"), "2");
        });
        Assert.Equal("2", File.ReadAllText(Path.Combine(target, "sub", "two.txt")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(Path.Combine(root.FullName, "a")).Select(Path.GetFileName));
    }

    [Fact]
    public void A_failed_write_leaves_nothing_and_an_empty_target_is_replaced()
    {
        var target = Path.Combine(root.FullName, "out");
        Directory.CreateDirectory(target);
        Assert.Throws<InvalidOperationException>(() => AtomicFolder.Write(target, temp =>
        {
            File.WriteAllText(Path.Combine(temp, "half.txt"), "…");
            throw new InvalidOperationException("killed");
        }));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(root.FullName).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(target));

        AtomicFolder.Write(target, temp => File.WriteAllText(Path.Combine(temp, "x.txt"), "x"));
        Assert.Equal(["x.txt"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public void A_non_empty_target_is_not_replaced()
    {
        var target = Path.Combine(root.FullName, "out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "mine.txt"), "keep");
        var e = Assert.Throws<IOException>(() => AtomicFolder.Write(target, temp => File.WriteAllText(Path.Combine(temp, "x.txt"), "x")));
        Assert.Contains("already exists and is not empty", e.Message);
        Assert.Equal("keep", File.ReadAllText(Path.Combine(target, "mine.txt")));
        Assert.Equal(["out"], Directory.GetFileSystemEntries(root.FullName).Select(Path.GetFileName));
    }
}
