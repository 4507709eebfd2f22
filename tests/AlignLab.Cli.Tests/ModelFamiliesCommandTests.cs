using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Cli.Tests;

/// <summary>
/// The newer families and config forms through <c>alignlab model</c>: for every family a config key that would change
/// the forward pass and is not implemented is refused (exit 2, one line naming the key), while <c>model info</c>
/// reports the folder as unsupported with the same reason (exit 0); <c>model info</c> shows the rope form, windows and
/// soft caps; a Hugging Face id is read from the local hub cache, and one not there is one line saying how to get it.
/// </summary>
public sealed class ModelFamiliesCommandTests : IDisposable
{
    private static readonly string HfFixtures = Path.Combine(ScriptFolder.RepositoryRoot(), "tests", "AlignLab.Models.Tests", "Fixtures", "hf");

    private readonly ScriptFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    // A copy of fixture `name` whose config.json has `key` set to `value` (JSON).
    private string WithKey(string name, string key, string value)
    {
        var folder = Path.Combine(_scratch.Path, name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Path.Combine(HfFixtures, name))) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var config = Path.Combine(folder, "config.json");
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(config))!;
        json[key] = JsonNode.Parse(value);
        File.WriteAllText(config, json.ToJsonString());
        return folder;
    }

    /// <summary>One fixture per family, a key of a real checkpoint family that changes the model, and the words that refuse it.</summary>
    public static TheoryData<string, string, string, string> UnimplementedKeys() => new()
    {
        { "gpt2-f32", "scale_attn_by_inverse_layer_idx", "true", "scale_attn_by_inverse_layer_idx true is not supported" },
        { "llama-gqa-f16", "rope_scaling", """{"rope_type": "longrope", "short_factor": [1, 1], "long_factor": [2, 2]}""", "rope_scaling.rope_type 'longrope' is not supported" },
        { "mistral-window-f32", "attention_bias", "true", "attention_bias true is not supported" },
        { "qwen2-bias-f32", "use_mrope", "true", "use_mrope true is not supported" },
        { "qwen3-f32", "partial_rotary_factor", "0.5", "partial_rotary_factor 0.5 is not supported for qwen3" },
        { "gemma-f32", "use_bidirectional_attention", "true", "use_bidirectional_attention true is not supported" },
        { "gemma2-f32", "rope_local_base_freq", "10000.0", "rope_local_base_freq is not implemented for gemma2" },
        { "neox-parallel-f32", "qk_layernorm", "true", "qk_layernorm is not implemented for gpt_neox" },
    };

    [Theory]
    [MemberData(nameof(UnimplementedKeys))]
    public void AKeyThatChangesTheModel_IsRefusedByName_AndInfoSaysWhy(string fixture, string key, string value, string message)
    {
        var folder = WithKey(fixture, key, value);
        var run = CliRun.Invoke("model", "logprobs", folder, "--ids", "1,2,3");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        var line = Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("alignlab model logprobs: ", line);
        Assert.Contains(Path.Combine(folder, "config.json"), line);
        Assert.Contains(message, line);

        var info = CliRun.Invoke("model", "info", folder);
        Assert.Equal(ExitCodes.Success, info.ExitCode);
        Assert.Contains($"supported:     no: ", info.Output);
        Assert.Contains(message, info.Output);
        var json = JsonDocument.Parse(CliRun.Invoke("model", "info", folder, "--json").Output).RootElement;
        Assert.False(json.GetProperty("supported").GetBoolean());
        Assert.Contains(message, json.GetProperty("unsupported").GetString());
    }

    [Fact]
    public void Info_ShowsTheRopeFormWindowsAndCaps()
    {
        var gemma2 = CliRun.Invoke("model", "info", Path.Combine(HfFixtures, "gemma2-f32"));
        Assert.Equal(ExitCodes.Success, gemma2.ExitCode);
        Assert.Contains("positions:     rotary: default, θ 10000", gemma2.Output);
        Assert.Contains("attention:     sliding window 4 on 1 of 2 layers (0), full on the others; scores capped at 2·tanh(x/2); logits capped at 1", gemma2.Output);
        Assert.Contains("supported:     yes", gemma2.Output);
        var yarn = JsonDocument.Parse(CliRun.Invoke("model", "info", Path.Combine(HfFixtures, "qwen3-yarn-f32"), "--json").Output).RootElement;
        Assert.Equal("yarn, θ 10000, factor 4, original context 16, attention factor 1.1386, β fast/slow 32/1", yarn.GetProperty("rope").GetString());
        Assert.True(yarn.GetProperty("supported").GetBoolean());
        var dynamic = JsonDocument.Parse(CliRun.Invoke("model", "info", Path.Combine(HfFixtures, "llama-rope-dynamic-f32"), "--json").Output).RootElement;
        Assert.Equal("dynamic NTK, θ 10000, factor 2 past 16 positions", dynamic.GetProperty("rope").GetString());
        Assert.Equal(32, dynamic.GetProperty("contextLength").GetInt32()); // 16 positions × factor 2
        var reward = CliRun.Invoke("model", "info", Path.Combine(HfFixtures, "gemma2-reward-f32"));
        Assert.Contains("labels:        0 LABEL_0", reward.Output);
        var gpt2 = CliRun.Invoke("model", "info", Path.Combine(HfFixtures, "gpt2-f32"));
        Assert.Contains("positions:     learned", gpt2.Output);
        Assert.Contains("attention:     full on every layer", gpt2.Output);
    }

    [Fact]
    public void AHuggingFaceId_IsReadFromTheHubCache_AtItsRevision()
    {
        // huggingface_hub's layout: refs/<branch> holds a commit, snapshots/<commit>/ the files.
        var cache = Path.Combine(_scratch.Path, "hub");
        var repo = Path.Combine(cache, "models--tiny-org--tiny-qwen3");
        Directory.CreateDirectory(Path.Combine(repo, "refs"));
        string main = new('a', 40), other = new('b', 40);
        File.WriteAllText(Path.Combine(repo, "refs", "main"), main);
        File.WriteAllText(Path.Combine(repo, "refs", "v2"), other);
        foreach (var (commit, fixture) in new[] { (main, "qwen3-f32"), (other, "gemma-f32") })
        {
            var snapshot = Directory.CreateDirectory(Path.Combine(repo, "snapshots", commit)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(HfFixtures, fixture))) File.Copy(file, Path.Combine(snapshot, Path.GetFileName(file)));
        }
        var environment = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = cache };
        string Architecture(string id)
        {
            var run = CliRun.InvokeWith(environment, "model", "info", id, "--json");
            Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
            return JsonDocument.Parse(run.Output).RootElement.GetProperty("architecture").GetString()!;
        }
        Assert.Equal("qwen3", Architecture("tiny-org/tiny-qwen3"));
        Assert.Equal("gemma", Architecture("tiny-org/tiny-qwen3@v2"));
        Assert.Equal("gemma", Architecture($"tiny-org/tiny-qwen3@{other}"));
        var logprobs = CliRun.InvokeWith(environment, "model", "logprobs", "tiny-org/tiny-qwen3", "--ids", "1,2,3", "--json");
        Assert.Equal(ExitCodes.Success, logprobs.ExitCode);
        // HF_HOME/hub is the cache when HF_HUB_CACHE is not set.
        var home = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = null, ["HF_HOME"] = _scratch.Path };
        Assert.Equal(ExitCodes.Success, CliRun.InvokeWith(home, "model", "info", "tiny-org/tiny-qwen3").ExitCode);
    }

    [Fact]
    public void AnIdNotInTheCache_IsOneLineSayingHowToDownloadIt()
    {
        var environment = new Dictionary<string, string?> { ["HF_HUB_CACHE"] = Path.Combine(_scratch.Path, "empty") };
        var run = CliRun.InvokeWith(environment, "model", "info", "meta-llama/Llama-3.2-1B@main");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        var line = Assert.Single(run.Error.TrimEnd().Split('\n'));
        Assert.Contains("Hugging Face model meta-llama/Llama-3.2-1B at revision main is not in the hub cache", line);
        Assert.Contains("hf download meta-llama/Llama-3.2-1B --revision main", line);
        var bon = CliRun.InvokeWith(environment, "bon", "build", "--policy", "Qwen/Qwen3-0.6B", "--reward", "Qwen/Qwen3-0.6B",
            "--prompts", "p.jsonl", "--out", Path.Combine(_scratch.Path, "out.jsonl"));
        Assert.Equal(ExitCodes.InvalidInput, bon.ExitCode);
        Assert.Contains("hf download Qwen/Qwen3-0.6B", Assert.Single(bon.Error.TrimEnd().Split('\n')));
    }
}
