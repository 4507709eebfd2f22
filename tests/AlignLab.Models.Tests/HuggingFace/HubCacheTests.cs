using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>
/// Hugging Face ids found in a hub cache laid out as huggingface_hub lays it out; the environment variables that choose
/// the cache, restored after each test (test classes run one at a time).
/// </summary>
public sealed class HubCacheTests : IDisposable
{
    private static readonly string[] Variables = ["HF_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"];

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-hub-").FullName;
    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);

    public void Dispose()
    {
        foreach (var (name, value) in _saved) Environment.SetEnvironmentVariable(name, value);
        Directory.Delete(_dir, recursive: true);
    }

    // models--org--name with refs/main -> commit a…a and refs/v1 -> b…b, each snapshot holding a config.json.
    private string Cache(string root)
    {
        var repo = Path.Combine(root, "models--org--name");
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        foreach (var (reference, commit) in new[] { ("main", new string('a', 40)), ("v1", new string('b', 40)) })
        {
            File.WriteAllText(Path.Combine(repo, "refs", reference), commit + "\n");
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(repo, "snapshots", commit)).FullName, "config.json"), "{}");
        }
        return repo;
    }

    private static void Use(string? hub, string? home = null, string? xdg = null)
    {
        Environment.SetEnvironmentVariable("HF_HUB_CACHE", hub);
        Environment.SetEnvironmentVariable("HF_HOME", home);
        Environment.SetEnvironmentVariable("XDG_CACHE_HOME", xdg);
    }

    [Fact]
    public void AnId_IsTheSnapshotItsRevisionPointsTo()
    {
        var repo = Cache(Path.Combine(_dir, "hub"));
        Use(Path.Combine(_dir, "hub"));
        Assert.Equal(Path.Combine(repo, "snapshots", new string('a', 40)), HubCache.Resolve("org/name"));
        Assert.Equal(Path.Combine(repo, "snapshots", new string('b', 40)), HubCache.Resolve("org/name@v1"));
        Assert.Equal(Path.Combine(repo, "snapshots", new string('b', 40)), HubCache.Resolve($"org/name@{new string('b', 40)}"));
        Assert.False(HubCache.TryResolve("org/name@v9", out var unresolved));
        Assert.Equal("org/name@v9", unresolved);
    }

    [Fact]
    public void TheCache_IsHfHubCache_ThenHfHomeHub_ThenXdgCacheHome()
    {
        Use(null, home: Path.Combine(_dir, "home"));
        Cache(Path.Combine(_dir, "home", "hub"));
        Assert.Equal(Path.Combine(_dir, "home", "hub"), HubCache.Root);
        Assert.StartsWith(Path.Combine(_dir, "home", "hub"), HubCache.Resolve("org/name"));
        Use(null, xdg: Path.Combine(_dir, "xdg"));
        Assert.Equal(Path.Combine(_dir, "xdg", "huggingface", "hub"), HubCache.Root);
        Use(Path.Combine(_dir, "hub"), home: Path.Combine(_dir, "home"));
        Assert.Equal(Path.Combine(_dir, "hub"), HubCache.Root);
    }

    [Fact]
    public void AnExistingFolder_ShadowsAnIdOfTheSameSpelling()
    {
        Use(Path.Combine(_dir, "hub"));
        Cache(Path.Combine(_dir, "hub"));
        var local = Directory.CreateDirectory(Path.Combine(_dir, "org", "name")).FullName;
        var current = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = _dir;
            Assert.Equal(local, HubCache.Resolve("org/name"));
        }
        finally
        {
            Environment.CurrentDirectory = current;
        }
    }

    [Fact]
    public void AMissingIdOrFolder_IsOneLine_WithTheCommandThatDownloadsIt()
    {
        Use(Path.Combine(_dir, "empty"));
        var e = Assert.Throws<DirectoryNotFoundException>(() => HubCache.Resolve("Qwen/Qwen3-0.6B@v2"));
        Assert.Equal($"'Qwen/Qwen3-0.6B@v2' is not a folder, and the Hugging Face model Qwen/Qwen3-0.6B at revision v2 is not in the hub cache {Path.Combine(_dir, "empty")} (nothing is downloaded): download it with `hf download Qwen/Qwen3-0.6B --revision v2` (or huggingface-cli download), or set HF_HUB_CACHE / HF_HOME to the cache that has it.", e.Message);
        Assert.Equal("model folder '/no/such/folder' does not exist.", Assert.Throws<DirectoryNotFoundException>(() => HubCache.Resolve("/no/such/folder")).Message);
        // A bare name is a folder that is missing, not an id to download.
        Assert.False(HubCache.IsId("gpt2"));
        Assert.True(HubCache.IsId("openai-community/gpt2@main"));
        Assert.Equal("model folder 'gpt2' does not exist.", Assert.Throws<DirectoryNotFoundException>(() => HubCache.Resolve("gpt2")).Message);
    }
}
