using AlignLab.Engine.Policies;
using AlignLab.Engine.Tasks;

namespace AlignLab.Engine.Tests.Tasks;

/// <summary>The default toy task and its pretrained base, built once per test run in a private cache folder.</summary>
public sealed class ToyBaseFixture : IDisposable
{
    public ToyBaseFixture()
    {
        CacheDirectory = Directory.CreateTempSubdirectory("alignlab-cache-").FullName;
        Task = new ToyTask();
        Base = Task.LoadOrPretrainBase(cacheDirectory: CacheDirectory);
    }

    public string CacheDirectory { get; }

    public ToyTask Task { get; }

    public TinyGpt Base { get; }

    public void Dispose()
    {
        Base.Dispose();
        Task.Dispose();
        Directory.Delete(CacheDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class ToyBaseCollection : ICollectionFixture<ToyBaseFixture>
{
    public const string Name = "toy base";
}
