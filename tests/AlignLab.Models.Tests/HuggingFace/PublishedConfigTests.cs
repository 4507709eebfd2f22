using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>
/// The published config.json of today's checkpoints (Fixtures/configs, provenance in its README) are read, or refused,
/// exactly as docs/engine.md's table "Published checkpoints: read or refused" says, and what was read is what the
/// table says (architecture, rope form, windows, caps, activation). Also: transformers 5's re-save of a config reads as
/// the same model as the original, and a saved config reads the same through the keys transformers 4 reads and through
/// those transformers 5 reads.
/// </summary>
public sealed class PublishedConfigTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Fixtures", "configs");

    private static TransformerConfig Read(string folder) => TransformerConfig.Read(Path.Combine(Root, folder, "config.json"));

    /// <summary>The table's "read" rows: model_type, rope form (ToString), first two layers' windows, caps, activation.</summary>
    public static TheoryData<string, string, string, string, string> ReadRows() => new()
    {
        { "gpt2", "gpt2", "-", "-/-", "gelu_new" },
        { "pythia-2.8b", "gpt_neox", "default, θ 10000, 0.25 of each head", "-/-", "gelu" },
        { "tinyllama-1.1b-chat-v1.0", "llama", "default, θ 10000", "-/-", "silu" },
        { "smollm2-360m", "llama", "default, θ 100000", "-/-", "silu" },
        { "llama-3.2-1b", "llama", "llama3, θ 500000, factor 32, original context 8192, low/high frequency factors 1/4", "-/-", "silu" },
        { "llama-3.2-1b-transformers5", "llama", "llama3, θ 500000, factor 32, original context 8192, low/high frequency factors 1/4", "-/-", "silu" },
        { "llama-3.1-8b", "llama", "llama3, θ 500000, factor 8, original context 8192, low/high frequency factors 1/4", "-/-", "silu" },
        { "mistral-7b-v0.3", "mistral", "default, θ 1000000", "-/-", "silu" },
        { "qwen2.5-1.5b", "qwen2", "default, θ 1000000", "-/-", "silu" },
        { "qwen3-0.6b", "qwen3", "default, θ 1000000", "-/-", "silu" },
        { "gemma-2b", "gemma", "default, θ 10000", "-/-", "gelu_pytorch_tanh" },
        { "gemma-2-2b-it", "gemma2", "default, θ 10000", "4096/-", "gelu_pytorch_tanh" },
        { "skywork-reward-llama-3.1-8b", "llama", "llama3, θ 500000, factor 8, original context 8192, low/high frequency factors 1/4", "-/-", "silu" },
    };

    [Theory]
    [MemberData(nameof(ReadRows))]
    public void APublishedConfig_IsReadAsTheTableSays(string folder, string modelType, string rope, string windows, string activation)
    {
        var config = Read(folder);
        Assert.Equal(modelType, config.ModelType);
        Assert.Equal(rope, config.HasRotary ? config.Rotary.ToString() : "-");
        Assert.Equal(windows, $"{config.WindowOf(0)?.ToString() ?? "-"}/{config.WindowOf(1)?.ToString() ?? "-"}");
        Assert.Equal(activation, config.Activation);
    }

    [Fact]
    public void TheDetailsTheTableNotes_AreRead()
    {
        var gemma2 = Read("gemma-2-2b-it");
        Assert.Equal((50.0, 30.0, 256.0), (gemma2.AttentionSoftcap!.Value, gemma2.FinalSoftcap!.Value, gemma2.QueryPreAttentionScalar!.Value));
        Assert.Equal([1L, 107L], gemma2.EndTokens);
        Assert.Equal(128, Read("qwen3-0.6b").HeadDim);
        Assert.True(Read("qwen3-0.6b").TieWordEmbeddings);
        Assert.Equal((1, 256), (Read("gemma-2b").KeyValueHeads, Read("gemma-2b").HeadDim));
        var skywork = Read("skywork-reward-llama-3.1-8b");
        Assert.Equal((128257, 128256L), (skywork.VocabSize, skywork.PadTokenId!.Value));
        Assert.Equal([128001L, 128008L, 128009L], skywork.EndTokens);
        Assert.Equal(131072, Read("llama-3.1-8b").MaxPositions);
        Assert.Equal(1024, Read("gpt2").MaxPositions);
        // Qwen2.5 carries a window value, switched off by use_sliding_window: false.
        Assert.Null(Read("qwen2.5-1.5b").SlidingWindow);
    }

    [Fact]
    public void TransformersFivesResave_ReadsAsTheSameModel()
    {
        Assert.Equal(Read("llama-3.2-1b").ToJson().ToJsonString(), Read("llama-3.2-1b-transformers5").ToJson().ToJsonString());
    }

    /// <summary>
    /// A saved config read through the keys each transformers version reads: 4.x ignores rope_parameters, 5.x takes the
    /// top-level rope_theta and rope_scaling only into rope_parameters, so dropping either form must not change the model.
    /// </summary>
    public static TheoryData<string> RotaryFolders() => [.. ReadRows().Select(row => (string)row[0]).Where(f => f != "gpt2")];

    [Theory]
    [MemberData(nameof(RotaryFolders))]
    public void ASavedConfig_ReadsTheSameThroughEitherRopeForm(string folder)
    {
        var saved = Read(folder).ToJson();
        var v4 = (JsonObject)saved.DeepClone();
        v4.Remove("rope_parameters");
        var v5 = (JsonObject)saved.DeepClone();
        v5.Remove("rope_theta");
        v5.Remove("rope_scaling");
        string Reread(JsonObject json) => TransformerConfig.FromJson(new ConfigJson(json, "saved/config.json")).ToJson().ToJsonString();
        Assert.Equal(saved.ToJsonString(), Reread(saved));
        Assert.Equal(saved.ToJsonString(), Reread(v4));
        Assert.Equal(saved.ToJsonString(), Reread(v5));
        Assert.Equal(saved["torch_dtype"]!.GetValue<string>(), saved["dtype"]!.GetValue<string>());
    }

    /// <summary>The table's "refused" rows: a published config with one key changed, and the line that refuses it.</summary>
    public static TheoryData<string, string, string, string> RefusedRows() => new()
    {
        { "llama-3.2-1b", "rope_scaling", """{"rope_type": "longrope", "short_factor": [1], "long_factor": [1], "original_max_position_embeddings": 8192}""", "rope_scaling.rope_type 'longrope' is not supported (supported: default, linear, dynamic, llama3, yarn)." },
        { "llama-3.2-1b-transformers5", "rope_theta", "10000.0", "rope_theta 10000 and rope_parameters.rope_theta 500000 differ" },
        { "qwen2.5-1.5b", "use_mrope", "true", "use_mrope true is not supported" },
        { "smollm2-360m", "rope_interleaved", "true", "rope_interleaved true is not supported" },
        { "gemma-2b", "use_bidirectional_attention", "true", "use_bidirectional_attention true is not supported" },
        { "gemma-2-2b-it", "rope_local_base_freq", "10000.0", "rope_local_base_freq is not implemented for gemma2" },
        { "qwen3-0.6b", "partial_rotary_factor", "0.5", "partial_rotary_factor 0.5 is not supported for qwen3" },
        { "pythia-2.8b", "rope_theta", "500000", "rotary_emb_base 10000 and rope_theta 500000 differ" },
        { "mistral-7b-v0.3", "quantization_config", """{"quant_method": "gptq", "bits": 4}""", "quantization_config is not implemented for mistral" },
        { "gpt2", "scale_attn_by_inverse_layer_idx", "true", "scale_attn_by_inverse_layer_idx true is not supported" },
    };

    [Theory]
    [MemberData(nameof(RefusedRows))]
    public void AChangedKey_IsRefusedInOneLineNamingItAndTheFile(string folder, string key, string value, string expected)
    {
        var path = Path.Combine(Root, folder, "config.json");
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        json[key] = JsonNode.Parse(value);
        var e = Assert.Throws<InvalidDataException>(() => TransformerConfig.FromJson(new ConfigJson(json, path)).Validate());
        Assert.StartsWith($"'{path}': ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
