using System.Text.Json.Nodes;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Lora;

/// <summary>LoRA on the Hugging Face architectures: PEFT-style targets, adapters off as the reference, PEFT and merged round trips.</summary>
public sealed class LoraRealModelTests : IDisposable
{
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-lora-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Fixture, PEFT target_modules, expected number of adapted layers (each fixture has 2 layers).
    public static TheoryData<string, string[], int> Targets() => new()
    {
        { "gpt2-f32", ["c_attn"], 2 },
        { "gpt2-bf16-prefixed-sharded", ["c_attn", "mlp.c_proj"], 4 },
        { "llama-gqa-f16", ["q_proj", "v_proj"], 4 },
        { "qwen2-bias-f32", ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], 14 },
        { "neox-parallel-f32", ["query_key_value"], 2 },
        // The newer families take PEFT's names too; Qwen3's q_norm/k_norm and Gemma2's extra norms are not linear layers.
        { "qwen3-f32", ["q_proj", "k_proj", "v_proj", "o_proj"], 8 },
        { "gemma-f32", ["q_proj", "v_proj", "gate_proj", "up_proj", "down_proj"], 10 },
        { "gemma2-f32", ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], 14 },
    };

    private static readonly long[] Prompts = [1, 5, 9, 2, 7, 3];
    private static readonly long[] Responses = [4, 8, 6, 1, 2, 9, 11, 3];

    private static float[] LogProbs(ISequencePolicy model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p = tensor(Prompts, 2, 3);
        var r = tensor(Responses, 2, 4);
        return model.TokenLogProbs(p, r).reshape(-1).data<float>().ToArray();
    }

    private static CausalLm Adapted(string name, LoraConfig config, long seed)
    {
        var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        manual_seed(seed);
        LoraAdapters.Apply(model, config);
        // B starts at zero; give every adapter a visible update so the round trips test something.
        using var noGrad = no_grad();
        foreach (var (_, layer) in LoraAdapters.Layers(model)) nn.init.normal_(layer.LoraB, 0, 0.1);
        return model;
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void TargetModules_PickLayersByName_AndAdaptersOffIsTheBaseModel(string name, string[] targets, int expected)
    {
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        var before = LogProbs(model);
        manual_seed(1);
        Assert.Equal(expected, LoraAdapters.Apply(model, new LoraConfig(Rank: 2, Alpha: 4, TargetModules: targets)));
        Assert.All(LoraAdapters.Layers(model), l => Assert.Contains(targets, t => l.Path.EndsWith("." + t)));
        Assert.Equal(before, LogProbs(model)); // B = 0
        Assert.All(model.named_parameters().Where(p => p.parameter.requires_grad), p => Assert.Contains(".lora_", p.name));

        using (no_grad())
            foreach (var (_, layer) in LoraAdapters.Layers(model)) nn.init.normal_(layer.LoraB, 0, 0.1);
        var adapted = LogProbs(model);
        Assert.NotEqual(before, adapted);
        using (LoraAdapters.Disable(model)) Assert.Equal(before, LogProbs(model));
        Assert.Equal(adapted, LogProbs(model)); // the scope restores the adapters
        Assert.Equal(before, LogProbs(new AdaptersOffPolicy(model)));
        Assert.Equal(adapted, LogProbs(model));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void PeftAdapters_SaveThenLoad_GiveIdenticalLogProbs(string name, string[] targets, int expected)
    {
        var config = new LoraConfig(Rank: 3, Alpha: 6, Dropout: 0.1, TargetModules: targets);
        using var model = Adapted(name, config, seed: 2);
        model.eval();
        PeftAdapterFolder.Save(model, _dir, baseModel: name);

        using var fresh = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        Assert.Equal(expected, PeftAdapterFolder.Load(fresh, _dir));
        Assert.Equal(LogProbs(model), LogProbs(fresh));
        Assert.Equal(config, PeftAdapterFolder.ReadConfig(_dir) with { TargetModules = config.TargetModules });
        Assert.Equal(targets, PeftAdapterFolder.ReadConfig(_dir).TargetModules);
        Assert.All(fresh.named_parameters(), p => Assert.Equal(p.name.Contains(".lora_"), p.parameter.requires_grad));
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void MergedModel_SavedAsAHuggingFaceFolder_LoadsBackWithTheAdaptedLogProbs(string name, string[] targets, int expected)
    {
        using var model = Adapted(name, new LoraConfig(Rank: 2, Alpha: 4, TargetModules: targets), seed: 3);
        Assert.Equal(expected, LoraAdapters.Layers(model).Count);
        HuggingFaceFolder.Save(model, _dir);
        using var merged = HuggingFaceFolder.Load(_dir);
        Assert.Empty(LoraAdapters.Layers(merged));
        var a = LogProbs(model);
        var b = LogProbs(merged);
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(a[i] - b[i]) < 1e-5, $"token {i}: {a[i]} vs {b[i]}");
    }

    [Fact]
    public void Gpt2Files_UsePeftKeys_AndTheMergeUsesTheConv1DLayout()
    {
        using var model = Adapted("gpt2-f32", new LoraConfig(Rank: 2, Alpha: 8, TargetModules: ["c_attn"]), seed: 4);
        PeftAdapterFolder.Save(model, Path.Combine(_dir, "adapter"));
        HuggingFaceFolder.Save(model, Path.Combine(_dir, "merged"));

        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_dir, "adapter", PeftAdapterFolder.ConfigFile)))!;
        Assert.Equal("LORA", json["peft_type"]!.GetValue<string>());
        Assert.Equal(2, json["r"]!.GetValue<int>());
        Assert.Equal(8.0, json["lora_alpha"]!.GetValue<double>());
        Assert.True(json["fan_in_fan_out"]!.GetValue<bool>());
        using var adapter = SafeTensorsReader.Open(Path.Combine(_dir, "adapter", PeftAdapterFolder.WeightsFile));
        Assert.Equal(
            ["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.0.attn.c_attn.lora_B.weight",
             "base_model.model.transformer.h.1.attn.c_attn.lora_A.weight", "base_model.model.transformer.h.1.attn.c_attn.lora_B.weight"],
            adapter.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([2L, 32], adapter.Entries["base_model.model.transformer.h.0.attn.c_attn.lora_A.weight"].Shape); // [r, in]
        Assert.Equal([96L, 2], adapter.Entries["base_model.model.transformer.h.0.attn.c_attn.lora_B.weight"].Shape); // [out, r]

        // PEFT's merge for fan_in_fan_out: the stored Conv1D weight [in, out] gains s·(B A)ᵀ.
        using var original = SafeTensorsReader.Open(Path.Combine(FixtureRoot, "gpt2-f32", HuggingFaceFolder.WeightsFile));
        using var mergedFile = SafeTensorsReader.Open(Path.Combine(_dir, "merged", HuggingFaceFolder.WeightsFile));
        var key = original.Entries.ContainsKey("h.0.attn.c_attn.weight") ? "h.0.attn.c_attn.weight" : "transformer.h.0.attn.c_attn.weight";
        using var w = original.Read(key).to(ScalarType.Float64);
        using var a = adapter.Read("base_model.model.transformer.h.0.attn.c_attn.lora_A.weight").to(ScalarType.Float64);
        using var b = adapter.Read("base_model.model.transformer.h.0.attn.c_attn.lora_B.weight").to(ScalarType.Float64);
        using var expected = w + (b.matmul(a) * 4.0).t();
        using var actual = mergedFile.Read("transformer.h.0.attn.c_attn.weight").to(ScalarType.Float64);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 1e-6));
    }

    [Fact]
    public void AdaptedModel_GeneratesTheSameWithAndWithoutTheKvCache_AndDropoutActsOnlyInTraining()
    {
        using var model = Adapted("neox-parallel-f32", new LoraConfig(Rank: 2, Dropout: 0.5, TargetModules: ["query_key_value", "dense"]), seed: 7);
        using var prompts = tensor(Prompts, 2, 3);
        SampleBatch Draw(bool cache)
        {
            using var g = new Generator(11);
            return model.Sample(prompts, 3, new SamplingOptions(5, UseKvCache: cache), g);
        }
        using (var cached = Draw(true))
        using (var uncached = Draw(false))
            Assert.True(cached.Responses.equal(uncached.Responses).all().item<bool>());

        Assert.Equal(LogProbs(model), LogProbs(model)); // eval: dropout off
        model.train();
        manual_seed(8);
        Assert.NotEqual(LogProbs(model), LogProbs(model));
        using (LoraAdapters.Disable(model)) Assert.Equal(LogProbs(model), LogProbs(model)); // base path has no dropout
    }

    [Fact]
    public void TrainingStep_ChangesOnlyAdapters_AndTheReferenceStaysTheBase()
    {
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, "llama-gqa-f16"));
        var baseLogProbs = LogProbs(model);
        var frozen = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        manual_seed(5);
        LoraAdapters.Apply(model, new LoraConfig(Rank: 2, TargetModules: ["q_proj", "v_proj"]));
        model.train();
        using var optimizer = optim.Adam(LoraAdapters.AdapterParameters(model), 1e-2);
        for (int step = 0; step < 2; step++) // the first step moves only B (A's gradient is B-weighted, so 0)
        {
            using var scope = NewDisposeScope();
            var loss = -model.SequenceLogProbs(tensor(Prompts, 2, 3), tensor(Responses, 2, 4)).mean();
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
        }
        model.eval();
        Assert.NotEqual(baseLogProbs, LogProbs(model));
        Assert.Equal(baseLogProbs, LogProbs(new AdaptersOffPolicy(model)));
        foreach (var (name, value) in model.state_dict())
            if (!name.Contains(".lora_"))
                Assert.True(value.equal(frozen[name.Replace(".base.", ".")]).all().item<bool>(), name);
    }

    [Fact]
    public void TargetsMatchingNothing_AndForeignAdapterFolders_AreClearErrors()
    {
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, "neox-parallel-f32"));
        var e = Assert.Throws<ArgumentException>(() => LoraAdapters.Apply(model, new LoraConfig(TargetModules: ["q_proj"])));
        Assert.Contains("q_proj", e.Message);
        Assert.Contains("query_key_value", e.Message);

        // Adapters saved from a GPT-2 name modules a NeoX model does not have.
        using (var gpt2 = Adapted("gpt2-f32", new LoraConfig(Rank: 2, TargetModules: ["c_attn"]), seed: 6))
            PeftAdapterFolder.Save(gpt2, _dir);
        var wrong = Assert.Throws<InvalidDataException>(() => PeftAdapterFolder.Load(model, _dir));
        Assert.Contains("transformer.h.0.attn.c_attn", wrong.Message);
        Assert.Empty(LoraAdapters.Layers(model)); // left unchanged

        var configPath = Path.Combine(_dir, PeftAdapterFolder.ConfigFile);
        File.WriteAllText(configPath, """{"peft_type": "IA3", "target_modules": ["c_attn"]}""");
        Assert.Contains("peft_type is 'IA3'", Assert.Throws<InvalidDataException>(() => PeftAdapterFolder.ReadConfig(_dir)).Message);
        File.WriteAllText(configPath, """{"peft_type": "LORA", "r": 2, "use_dora": true}""");
        Assert.Contains("use_dora", Assert.Throws<InvalidDataException>(() => PeftAdapterFolder.ReadConfig(_dir)).Message);
        File.WriteAllText(configPath, """{"peft_type": "LORA", "r": 0}""");
        Assert.Contains("Rank", Assert.Throws<InvalidDataException>(() => PeftAdapterFolder.ReadConfig(_dir)).Message);
    }
}
