using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-ckpt-").FullName;
    private static readonly TinyGptConfig Config = new(VocabSize: 5, PromptLength: 2, DModel: 16, Heads: 2, Layers: 2, MaxLength: 7);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveLoad_ReproducesOutputsBitForBit()
    {
        manual_seed(1);
        using var model = new TinyGpt(Config);
        var path = Path.Combine(_dir, "gpt.safetensors");
        Checkpoint.Save(model, model.Config, path);
        Assert.Equal(Config, Checkpoint.ReadConfig<TinyGptConfig>(path));
        manual_seed(2); // the loaded model starts from different random weights
        using var loaded = Checkpoint.Load(path, (TinyGptConfig c) => new TinyGpt(c));
        using var tokens = tensor(new long[] { 0, 1, 2, 3, 4, 0, 4, 3, 2, 1 }, 2, 5);
        using var a = model.forward(tokens);
        using var b = loaded.forward(tokens);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void RewardModelWithLora_RoundTrips()
    {
        manual_seed(3);
        using var model = new RewardModel(Config);
        LoraAdapters.Apply(model, new LoraConfig(Rank: 2));
        using (no_grad())
            foreach (var p in LoraAdapters.AdapterParameters(model)) p.add_(0.1);
        var path = Path.Combine(_dir, "rm.safetensors");
        Checkpoint.Save(model, model.Config, path);
        using var fresh = new RewardModel(Config);
        LoraAdapters.Apply(fresh, new LoraConfig(Rank: 2));
        Checkpoint.LoadWeights(fresh, path);
        using var prompts = tensor(new long[] { 0, 1, 2, 3 }, 2, 2);
        using var responses = tensor(new long[] { 4, 4, 1, 0, 0, 2 }, 2, 3);
        using var a = model.Score(prompts, responses);
        using var b = fresh.Score(prompts, responses);
        Assert.True(a.eq(b).all().item<bool>());
    }

    [Fact]
    public void WrongModel_OrWrongConfigType_GivesClearErrors()
    {
        manual_seed(1);
        using var model = new TinyGpt(Config);
        var path = Path.Combine(_dir, "gpt.safetensors");
        Checkpoint.Save(model, model.Config, path);
        using var wider = new TinyGpt(Config with { DModel = 32 });
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(wider, path));
        Assert.Contains("expects", e.Message);
        Assert.Throws<InvalidDataException>(() => Checkpoint.ReadConfig<LoraConfig>(path));
        using var reward = new RewardModel(Config);
        Assert.Contains("missing", Assert.Throws<InvalidDataException>(() => Checkpoint.LoadWeights(reward, path)).Message);
    }

    [Fact]
    public void TruncatedCheckpoint_GivesInvalidDataException()
    {
        manual_seed(1);
        using var model = new TinyGpt(Config);
        var path = Path.Combine(_dir, "gpt.safetensors");
        Checkpoint.Save(model, model.Config, path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path, (TinyGptConfig c) => new TinyGpt(c)));
        Assert.Contains("truncated", e.Message);
    }
}
