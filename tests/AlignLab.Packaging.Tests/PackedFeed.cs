namespace AlignLab.Packaging.Tests;

/// <summary>
/// The README's packing command, <c>dotnet pack AlignLab.sln</c>, run once for the packaging tests into a temporary
/// feed folder. Each run packs a fresh pre-release version (<c>&lt;prefix&gt;-test.&lt;timestamp&gt;</c>), so that
/// NuGet's package cache never serves a package packed from older code; its own build output goes to
/// <c>artifacts/packaging-tests</c>, apart from the build the other tests run from. On dispose the feed and the
/// cache entries of that version are deleted.
/// </summary>
public sealed class PackedFeed : IDisposable
{
    private readonly DirectoryInfo root = Directory.CreateTempSubdirectory("alignlab-feed-");

    /// <summary>Packs every AlignLab package into <see cref="Folder"/>.</summary>
    public PackedFeed()
    {
        string suffix = $"test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        Version = $"{Repository.VersionPrefix}-{suffix}";
        Folder = Path.Combine(root.FullName, "feed");
        ProcessRun.Start("dotnet", ["pack", "AlignLab.sln", $"-p:VersionSuffix={suffix}", $"-p:PackageOutputPath={Folder}"],
            Repository.Root, TimeSpan.FromMinutes(15),
            new Dictionary<string, string?> { ["ALIGNLAB_ARTIFACTS"] = Path.Combine(Repository.Root, "artifacts", "packaging-tests") })
            .Succeeded();
    }

    /// <summary>The feed folder: AlignLab.Theory, .Models, .Engine, .Dsl and the AlignLab.Cli tool packages.</summary>
    public string Folder { get; }

    /// <summary>The version of every package in the feed.</summary>
    public string Version { get; }

    /// <summary>A scratch folder that is deleted with the feed.</summary>
    public string Scratch(string name) => Directory.CreateDirectory(Path.Combine(root.FullName, name)).FullName;

    /// <inheritdoc/>
    public void Dispose()
    {
        root.Delete(recursive: true);
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (string id in new[] { "alignlab.theory", "alignlab.engine", "alignlab.dsl" })
        {
            var restored = new DirectoryInfo(Path.Combine(packages, id, Version.ToLowerInvariant()));
            if (restored.Exists) restored.Delete(recursive: true);
        }
    }
}

/// <summary>The packaging tests share one <see cref="PackedFeed"/> and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<PackedFeed>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "packed feed";
}
