using System.Text.RegularExpressions;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// Model folders named by their Hugging Face id, found in the local hub cache and never downloaded: <c>org/name</c>
/// or <c>org/name@revision</c> (a branch or tag under <c>refs/</c>, or a commit hash; default <c>main</c>) is the folder
/// <c>&lt;cache&gt;/models--org--name/snapshots/&lt;commit&gt;/</c> that <c>refs/&lt;revision&gt;</c> points to, as
/// huggingface_hub lays it out. The cache is <c>HF_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else
/// <c>XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>. A path that exists is always taken as
/// the folder it names, so a local folder shadows an id of the same spelling.
/// </summary>
public static partial class HubCache
{
    // org/name[@revision]: a bare name is taken as a (missing) folder, not as one of the Hub's few organisation-less ids.
    [GeneratedRegex(@"^(?<repo>[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(@(?<revision>[A-Za-z0-9][A-Za-z0-9._/-]*))?$")]
    private static partial Regex IdPattern();

    /// <summary>Whether <paramref name="text"/> is spelled as a Hugging Face id, <c>org/name[@revision]</c>.</summary>
    public static bool IsId(string text) => IdPattern().IsMatch(text);

    /// <summary>The hub cache folder this process reads (see the type's summary; it need not exist).</summary>
    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("HF_HUB_CACHE") is { Length: > 0 } hub) return Path.GetFullPath(hub);
            if (Environment.GetEnvironmentVariable("HF_HOME") is { Length: > 0 } home) return Path.GetFullPath(Path.Combine(home, "hub"));
            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            return Path.GetFullPath(Path.Combine(cache, "huggingface", "hub"));
        }
    }

    /// <summary>
    /// The absolute folder <paramref name="folderOrId"/> names: the folder itself when it exists, else the cached
    /// snapshot of the Hugging Face id it spells.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">
    /// Neither: one line saying that the folder does not exist or, for an id, that it is not in the cache (which one was
    /// looked in) and the command that downloads it.
    /// </exception>
    public static string Resolve(string folderOrId)
    {
        ArgumentException.ThrowIfNullOrEmpty(folderOrId);
        if (Directory.Exists(folderOrId)) return Path.GetFullPath(folderOrId);
        var match = IdPattern().Match(folderOrId);
        if (!match.Success) throw new DirectoryNotFoundException($"model folder '{folderOrId}' does not exist.");
        string repo = match.Groups["repo"].Value, revision = match.Groups["revision"].Success ? match.Groups["revision"].Value : "main";
        var snapshot = Snapshot(repo, revision);
        if (snapshot is not null) return snapshot;
        string download = $"hf download {repo}" + (match.Groups["revision"].Success ? $" --revision {revision}" : "");
        throw new DirectoryNotFoundException(
            $"'{folderOrId}' is not a folder, and the Hugging Face model {repo} at revision {revision} is not in the hub cache {Root} (nothing is downloaded): download it with `{download}` (or huggingface-cli download), or set HF_HUB_CACHE / HF_HOME to the cache that has it.");
    }

    /// <summary>Like <see cref="Resolve"/>, but false instead of an exception when there is no such folder or cached model.</summary>
    public static bool TryResolve(string folderOrId, out string folder)
    {
        try
        {
            folder = Resolve(folderOrId);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            folder = folderOrId;
            return false;
        }
    }

    // The snapshot folder of repo at revision, or null when the cache lacks it.
    private static string? Snapshot(string repo, string revision)
    {
        var repoFolder = Path.Combine(Root, "models--" + repo.Replace("/", "--"));
        if (!Directory.Exists(repoFolder)) return null;
        var reference = Path.Combine(repoFolder, "refs", revision);
        string commit = File.Exists(reference) ? File.ReadAllText(reference).Trim() : revision;
        var snapshot = Path.Combine(repoFolder, "snapshots", commit);
        return commit.Length > 0 && commit.IndexOfAny(['/', '\\']) < 0 && Directory.Exists(snapshot) ? Path.GetFullPath(snapshot) : null;
    }
}
