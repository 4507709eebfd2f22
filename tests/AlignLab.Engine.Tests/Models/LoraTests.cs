using AlignLab.Engine.Policies;
using AlignLab.Engine.Rewards;
using AlignLab.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Models;

public class LoraTests
{
    private static readonly TinyGptConfig Config = new(VocabSize: 5, PromptLength: 2, DModel: 16, Heads: 2, Layers: 2, MaxLength: 7);

    [Fact]
    public void Apply_WrapsEveryLinear_KeepsOutputs_AndFreezesTheRest()
    {
        manual_seed(1);
        using var model = new TinyGpt(Config);
        using var tokens = tensor(new long[] { 0, 1, 2, 3, 4, 0 }, 2, 3);
        using var before = model.forward(tokens);
        int wrapped = LoraAdapters.Apply(model, new LoraConfig(Rank: 4, Alpha: 8));
        Assert.Equal(4 * Config.Layers, wrapped); // c_attn, attention c_proj, mlp c_fc, mlp c_proj per block
        using var after = model.forward(tokens);
        Assert.True(before.eq(after).all().item<bool>()); // B starts at zero
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToArray();
        Assert.Equal(2 * wrapped, trainable.Length);
        Assert.All(trainable, n => Assert.Contains("lora_", n));
        long expected = Config.Layers * (4L * (3 * 16 + 16) + 4L * (16 + 16) + 4L * (16 + 64) + 4L * (64 + 16));
        Assert.Equal(expected, LoraAdapters.AdapterParameters(model).Sum(p => p.numel()));
    }

    [Fact]
    public void TrainingOnlyAdapters_ChangesOutputs_ButNotTheFrozenWeights()
    {
        manual_seed(2);
        using var model = new TinyGpt(Config);
        var frozen = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        LoraAdapters.Apply(model, new LoraConfig(Rank: 2), name => name.EndsWith("c_attn"));
        using var optimizer = optim.Adam(LoraAdapters.AdapterParameters(model), 1e-2);
        using var prompts = tensor(new long[] { 0, 1, 2, 3 }, 2, 2);
        using var responses = tensor(new long[] { 4, 4, 4, 4, 4, 4 }, 2, 3);
        float first = 0, last = 0;
        for (int s = 0; s < 20; s++)
        {
            using var scope = NewDisposeScope();
            var loss = -model.SequenceLogProbs(prompts, responses).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (s == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first - 0.1, $"loss {first} -> {last}");
        foreach (var (name, p) in model.named_parameters())
        {
            var original = name.Replace(".base.", ".");
            if (!name.Contains("lora_")) Assert.True(p.eq(frozen[original]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void RewardModel_DefaultLeavesTheHeadPlain_TargetingItThrows()
    {
        manual_seed(3);
        using var model = new RewardModel(Config);
        Assert.Equal(4 * Config.Layers, LoraAdapters.Apply(model, new LoraConfig()));
        Assert.IsType<TorchSharp.Modules.Linear>(model.Head);
        using var other = new RewardModel(Config);
        Assert.Throws<NotSupportedException>(() => LoraAdapters.Apply(other, new LoraConfig(), name => name == "head"));
    }

    [Fact]
    public void InvalidConfig_Throws()
    {
        Assert.Throws<ArgumentException>(() => new LoraConfig(Rank: 0).Validate());
        Assert.Throws<ArgumentException>(() => new LoraConfig(Alpha: -1).Validate());
    }
}
