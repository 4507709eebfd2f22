using AlignLab.Dsl;
using AlignLab.Engine.Tasks;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// A tiny toy task (4 symbols, responses of 4: 256 responses, 6 prompts) with a small base pretrained once per test run
/// into a private cache, a private run store, and a scale of a few steps, so an experiment runs end to end in seconds.
/// </summary>
public sealed class TinyToyFixture : IDisposable
{
    public TinyToyFixture()
    {
        Root = Directory.CreateTempSubdirectory("alignlab-experiment-").FullName;
        Task = Tasks.ToyLanguage(seed: 3, vocabSize: 4, responseLength: 4, promptCount: 6)
            .WithBase(new ToyBaseConfig(DModel: 16, Heads: 2, Layers: 1, Steps: 80, BatchSize: 128))
            .CachedIn(Path.Combine(Root, "cache"));
        Scale = new ExperimentScale(Steps: 6, LearningRate: 3e-3, WarmupSteps: 0, PairBatchSize: 8, PromptBatchSize: 4, SamplesPerPrompt: 2, CdfSamples: 16, LogEvery: 2);
    }

    public string Root { get; }
    public TaskSpec Task { get; }
    public ExperimentScale Scale { get; }

    /// <summary>A fresh run store folder under the fixture's root.</summary>
    public string NewStore() => Path.Combine(Root, "runs-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[CollectionDefinition(Name)]
public sealed class TinyToyCollection : ICollectionFixture<TinyToyFixture>
{
    public const string Name = "tiny toy experiment";
}
