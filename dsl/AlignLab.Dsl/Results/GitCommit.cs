namespace AlignLab.Dsl.Results;

/// <summary>
/// Finds the git commit checked out in a folder by reading <c>.git</c> directly (no git executable needed):
/// <c>HEAD</c>, then the loose ref or <c>packed-refs</c> it names. Handles worktrees (a <c>.git</c> file).
/// </summary>
public static class GitCommit
{
    /// <summary>The 40-hex commit id of HEAD of the repository containing <paramref name="directory"/>, or null outside a repository.</summary>
    public static string? Find(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new ArgumentException("directory must be a folder path.", nameof(directory));
        for (var dir = new DirectoryInfo(Path.GetFullPath(directory)); dir is not null; dir = dir.Parent)
        {
            var dotGit = Path.Combine(dir.FullName, ".git");
            if (Directory.Exists(dotGit)) return FromGitDir(dotGit, dotGit);
            if (File.Exists(dotGit))
            {
                var line = File.ReadAllText(dotGit).Trim();
                if (!line.StartsWith("gitdir:", StringComparison.Ordinal)) return null;
                var gitDir = Path.GetFullPath(Path.Combine(dir.FullName, line["gitdir:".Length..].Trim()));
                var commonFile = Path.Combine(gitDir, "commondir");
                var commonDir = File.Exists(commonFile)
                    ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonFile).Trim()))
                    : gitDir;
                return FromGitDir(gitDir, commonDir);
            }
        }
        return null;
    }

    private static string? FromGitDir(string gitDir, string commonDir)
    {
        var headFile = Path.Combine(gitDir, "HEAD");
        if (!File.Exists(headFile)) return null;
        var head = File.ReadAllText(headFile).Trim();
        if (!head.StartsWith("ref:", StringComparison.Ordinal)) return IsCommitId(head) ? head : null;

        var refName = head["ref:".Length..].Trim();
        foreach (var root in new[] { gitDir, commonDir })
        {
            var loose = Path.Combine(root, refName);
            if (File.Exists(loose))
            {
                var id = File.ReadAllText(loose).Trim();
                return IsCommitId(id) ? id : null;
            }
        }
        var packed = Path.Combine(commonDir, "packed-refs");
        if (!File.Exists(packed)) return null;
        foreach (var line in File.ReadLines(packed))
        {
            var parts = line.Split(' ', 2);
            if (parts.Length == 2 && parts[1].Trim() == refName && IsCommitId(parts[0])) return parts[0];
        }
        return null;
    }

    private static bool IsCommitId(string text) => text.Length is 40 or 64 && text.All(Uri.IsHexDigit);
}
