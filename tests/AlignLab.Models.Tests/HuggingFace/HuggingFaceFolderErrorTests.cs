using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>Each bad model folder gives one clear error naming the file and the tensor (and no model).</summary>
public sealed class HuggingFaceFolderErrorTests : IDisposable
{
    private static readonly string Gpt2 = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", "gpt2-f32");
    private static readonly string Sharded = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf", "gpt2-bf16-prefixed-sharded");

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-hf-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string CopyOf(string folder)
    {
        var target = Path.Combine(_dir, Path.GetFileName(folder));
        Directory.CreateDirectory(target);
        foreach (var f in Directory.GetFiles(folder)) File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        return target;
    }

    private static void Rewrite(string file, Action<Dictionary<string, Tensor>> change)
    {
        Dictionary<string, Tensor> tensors;
        using (var read = SafeTensors.Read(file)) tensors = read.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        change(tensors);
        SafeTensors.Write(file, tensors);
    }

    private static string Fails(string folder)
    {
        var e = Assert.ThrowsAny<Exception>(() => HuggingFaceFolder.Load(folder));
        Assert.True(e is InvalidDataException or FileNotFoundException, $"{e.GetType().Name}: {e.Message}");
        return e.Message;
    }

    [Fact]
    public void MissingFolder_OrConfig_OrWeights_NameWhatIsMissing()
    {
        var none = Path.Combine(_dir, "nope");
        Assert.Contains($"model folder '{none}' does not exist", Assert.Throws<DirectoryNotFoundException>(() => HuggingFaceFolder.Load(none)).Message);
        var folder = CopyOf(Gpt2);
        File.Delete(Path.Combine(folder, "config.json"));
        Assert.Contains("no config.json", Fails(folder));
        folder = CopyOf(Sharded);
        File.Delete(Path.Combine(folder, "model.safetensors.index.json"));
        Assert.Contains("has no model.safetensors or model.safetensors.index.json", Fails(folder));
    }

    [Fact]
    public void UnknownModelType_NamesTheConfigAndTheType()
    {
        var folder = CopyOf(Gpt2);
        var config = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["model_type"] = "bert";
        File.WriteAllText(config, json.ToJsonString());
        var message = Fails(folder);
        Assert.Contains(config, message);
        Assert.Contains("model_type 'bert' is not supported (supported: gpt2, llama, mistral, qwen2, qwen3, gemma, gemma2, gpt_neox)", message);
    }

    [Theory]
    [InlineData("n_embd", null, "n_embd is missing.")]
    [InlineData("n_head", "\"four\"", "n_head must be an integer (got \"four\").")]
    [InlineData("n_head", "5", "hidden_size 32 is not a multiple of num_attention_heads 5.")]
    [InlineData("activation_function", "\"swiglu\"", "activation 'swiglu' is not supported")]
    [InlineData("eos_token_id", "[0, null]", "eos_token_id must be a token id or a list of token ids (got [0,null]).")]
    [InlineData("eos_token_id", "64", "eos_token_id 64 is not a token of the 64-token vocabulary.")]
    [InlineData("rope_scaling", "{\"type\": \"linear\", \"factor\": 2}", "rope_scaling is not implemented for gpt2")]
    [InlineData("reorder_and_upcast_attn", "true", "reorder_and_upcast_attn true is not supported")]
    [InlineData("made_up_key", "1", "made_up_key is not implemented for gpt2; it may change the model")]
    public void BadConfigField_IsNamedWithTheFile(string field, string? value, string expected)
    {
        var folder = CopyOf(Gpt2);
        var config = Path.Combine(folder, "config.json");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json[field] = value is null ? null : JsonNode.Parse(value);
        if (value is null) json.Remove(field);
        File.WriteAllText(config, json.ToJsonString());
        var message = Fails(folder);
        Assert.StartsWith($"'{config}': ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void MissingTensor_IsNamed()
    {
        var folder = CopyOf(Gpt2);
        Rewrite(Path.Combine(folder, "model.safetensors"), t => t.Remove("h.1.mlp.c_fc.weight"));
        var message = Fails(folder);
        Assert.Contains(folder, message);
        Assert.Contains("missing tensor 'transformer.h.1.mlp.c_fc.weight'", message);
    }

    [Fact]
    public void MisshapenTensor_NamesFileTensorAndShapes()
    {
        var folder = CopyOf(Gpt2);
        var file = Path.Combine(folder, "model.safetensors");
        Rewrite(file, t => t["h.0.attn.c_proj.weight"] = zeros(32, 31));
        Assert.Equal($"'{file}': tensor 'h.0.attn.c_proj.weight' has shape [32, 31] but the config gives [32, 32].", Fails(folder));
    }

    [Fact]
    public void UnexpectedTensor_AndIntegerDtype_AreNamed()
    {
        var folder = CopyOf(Gpt2);
        var file = Path.Combine(folder, "model.safetensors");
        Rewrite(file, t => t["h.0.attn.q_proj.weight"] = zeros(2, 2));
        Assert.Equal($"'{file}': tensor 'h.0.attn.q_proj.weight' is not a parameter of a gpt2 model.", Fails(folder));
        folder = CopyOf(Sharded);
        var shard = Path.Combine(folder, "model-00001-of-00002.safetensors");
        string? name = null;
        Rewrite(shard, t =>
        {
            name = t.Keys.Order(StringComparer.Ordinal).First(k => k.EndsWith(".weight") && k.StartsWith("transformer.h."));
            t[name] = zeros(t[name].shape, ScalarType.Int64);
        });
        Assert.Equal($"'{shard}': tensor '{name}' has dtype Int64; weights must be F32, F16 or BF16.", Fails(folder));
    }

    [Fact]
    public void TruncatedShard_AndMissingShard_AreNamed()
    {
        var folder = CopyOf(Sharded);
        var shard = Path.Combine(folder, "model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..^100]);
        var message = Fails(folder);
        Assert.StartsWith($"'{shard}' is not a valid safetensors file: tensor '", message);
        Assert.Contains("(truncated)", message);
        File.Delete(shard);
        Assert.Contains("lists shard 'model-00002-of-00002.safetensors', which does not exist", Fails(folder));
    }

    [Fact]
    public void UnknownDtype_InTheHeader_IsNamed()
    {
        var folder = CopyOf(Gpt2);
        var file = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        int at = text.IndexOf("\"F32\"", StringComparison.Ordinal);
        System.Text.Encoding.ASCII.GetBytes("\"F8E\"").CopyTo(bytes, at);
        File.WriteAllBytes(file, bytes);
        Assert.Matches($"^'{System.Text.RegularExpressions.Regex.Escape(file)}' is not a valid safetensors file: tensor '.+' has unsupported dtype 'F8E'.$", Fails(folder));
    }
}
