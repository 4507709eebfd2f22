using AlignLab.Dsl.Results;

namespace AlignLab.Dsl.Tests.Results;

public sealed class GitCommitTests : IDisposable
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("alignlab-git-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void Find_ReadsTheLooseBranchRef_FromASubfolder()
    {
        var git = GitDir(folder.FullName);
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        Write(Path.Combine(git, "refs", "heads", "main"), Commit + "\n");
        var sub = Directory.CreateDirectory(Path.Combine(folder.FullName, "scripts", "x")).FullName;

        Assert.Equal(Commit, GitCommit.Find(sub));
    }

    [Fact]
    public void Find_ReadsPackedRefs()
    {
        var git = GitDir(folder.FullName);
        File.WriteAllText(Path.Combine(git, "HEAD"), "ref: refs/heads/main\n");
        File.WriteAllText(Path.Combine(git, "packed-refs"), $"# pack-refs with: peeled\n{Commit} refs/heads/main\n");

        Assert.Equal(Commit, GitCommit.Find(folder.FullName));
    }

    [Fact]
    public void Find_ReadsADetachedHead()
    {
        File.WriteAllText(Path.Combine(GitDir(folder.FullName), "HEAD"), Commit + "\n");

        Assert.Equal(Commit, GitCommit.Find(folder.FullName));
    }

    [Fact]
    public void Find_FollowsAWorktreeGitFile_ToTheCommonRefs()
    {
        var main = GitDir(Path.Combine(folder.FullName, "main"));
        Write(Path.Combine(main, "refs", "heads", "feature"), Commit);
        var worktreeGit = Directory.CreateDirectory(Path.Combine(main, "worktrees", "wt")).FullName;
        File.WriteAllText(Path.Combine(worktreeGit, "HEAD"), "ref: refs/heads/feature\n");
        File.WriteAllText(Path.Combine(worktreeGit, "commondir"), "../..\n");
        var worktree = Directory.CreateDirectory(Path.Combine(folder.FullName, "wt")).FullName;
        File.WriteAllText(Path.Combine(worktree, ".git"), $"gitdir: {worktreeGit}\n");

        Assert.Equal(Commit, GitCommit.Find(worktree));
    }

    [Fact]
    public void Find_IsNullForABranchWithoutCommits()
    {
        File.WriteAllText(Path.Combine(GitDir(folder.FullName), "HEAD"), "ref: refs/heads/main\n");

        Assert.Null(GitCommit.Find(folder.FullName));
    }

    private static string GitDir(string root) => Directory.CreateDirectory(Path.Combine(root, ".git")).FullName;

    private static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
