using System.Text.Json.Nodes;
using AlignLab.Dsl;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Models;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Tokenization;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Dsl.Tests.Toy;

/// <summary>The default toy task exported once (private model cache) and its base, for every test of the class.</summary>
public sealed class ToyExportFixture : IDisposable
{
    public ToyExportFixture()
    {
        Root = Directory.CreateTempSubdirectory("alignlab-toy-export-").FullName;
        Task = Tasks.ToyLanguage().CachedIn(Path.Combine(Root, "cache"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Folders = ToyModels.ExportHuggingFace(Path.Combine(Root, "export"), Task, ExperimentScale.Quick, new Progress<string>(Log.Add));
        Seconds = clock.Elapsed.TotalSeconds;
        Toy = new ToyTask(Task.Config);
        Base = Toy.LoadOrPretrainBase(ExperimentScale.Quick.EffectiveBase, Task.CacheDirectory);
    }

    public string Root { get; }
    public TaskSpec Task { get; }
    public ToyModelFolders Folders { get; }
    public double Seconds { get; }
    public List<string> Log { get; } = [];
    public ToyTask Toy { get; }
    public TinyGpt Base { get; }

    public void Dispose()
    {
        Base.Dispose();
        Toy.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}

public class ToyModelsTests(ToyExportFixture fixture, ITestOutputHelper output) : IClassFixture<ToyExportFixture>
{
    [Fact]
    public void Export_Measures()
    {
        output.WriteLine($"export took {fixture.Seconds:F1} s");
        foreach (var line in fixture.Log) output.WriteLine(line);
    }
}
