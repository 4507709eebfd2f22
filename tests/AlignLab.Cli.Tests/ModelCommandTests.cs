using System.Text.Json;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using AlignLab.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Cli.Tests;

/// <summary>
/// <c>alignlab model info|logprobs|generate</c> on tiny random model folders: the printed numbers against the model and
/// tokenizer read independently, the JSON contract of issue 10 item 6, and each bad input's one line and exit code 2.
/// </summary>
public sealed class ModelCommandTests : IDisposable
{
    private readonly TinyModelFolder _gpt2 = TinyModelFolder.Gpt2();
    private readonly ScriptFolder _scratch = new();

    public void Dispose()
    {
        _gpt2.Dispose();
        _scratch.Dispose();
    }

    private static JsonElement Json(CliRun run)
    {
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("", run.Error);
        return JsonDocument.Parse(run.Output).RootElement;
    }

    private static void FailsWith(CliRun run, string subcommand, string message)
    {
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Equal("", run.Output);
        var lines = run.Error.TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith($"alignlab model {subcommand}: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }

    // log π(ids[i+1] | ids[..i]) through the policy's own TokenLogProbs (prompt = first id, response = the rest).
    private static double[] ReferenceLogProbs(string folder, IReadOnlyList<int> ids)
    {
        using var model = HuggingFaceFolder.Load(folder);
        using var scope = NewDisposeScope();
        var all = tensor(ids.Select(i => (long)i).ToArray()).unsqueeze(0);
        return model.TokenLogProbs(all[.., ..1], all[.., 1..]).squeeze(0).to(ScalarType.Float64).data<double>().ToArray();
    }

    [Fact]
    public void InfoJson_DescribesTheFolder()
    {
        var info = Json(CliRun.Invoke("model", "info", _gpt2.Path, "--json"));
        using var model = HuggingFaceFolder.Load(_gpt2.Path);
        Assert.Equal("gpt2", info.GetProperty("architecture").GetString());
        Assert.Equal(model.ParameterCount, info.GetProperty("parameters").GetInt64());
        Assert.Equal(["F32"], info.GetProperty("dtypesOnDisk").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(267, info.GetProperty("vocabSize").GetInt32());
        Assert.Equal(64, info.GetProperty("contextLength").GetInt32());
        Assert.Equal(2, info.GetProperty("layers").GetInt32());
        var tokenizer = info.GetProperty("tokenizer");
        Assert.Equal("byte-level-bpe", tokenizer.GetProperty("kind").GetString());
        Assert.Equal("tokenizer.json", tokenizer.GetProperty("file").GetString());
        Assert.Equal(262, tokenizer.GetProperty("bos").GetInt32());
        Assert.True(tokenizer.GetProperty("addsBos").GetBoolean());
        Assert.Equal([263, 264], tokenizer.GetProperty("eos").EnumerateArray().Select(e => e.GetInt32()));
        // Read from the headers, not the weights: the class, the MLP width, the files and their bytes, the end tokens.
        Assert.Equal("GPT2LMHeadModel", info.GetProperty("modelClass").GetString());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("labels").ValueKind);
        Assert.False(info.GetProperty("isRewardModel").GetBoolean());
        Assert.Equal(model.ModelConfig.IntermediateSize, info.GetProperty("intermediateSize").GetInt32());
        Assert.Equal(["model.safetensors"], info.GetProperty("weightFiles").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(new FileInfo(Path.Combine(_gpt2.Path, "model.safetensors")).Length, info.GetProperty("bytesOnDisk").GetInt64());
        Assert.Equal(JsonValueKind.Null, info.GetProperty("chatTemplate").ValueKind);
        Assert.Equal([263, 264], info.GetProperty("endTokens").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Theory]
    [InlineData("gpt2-reward-f32")]
    [InlineData("llama-reward-f32")]
    [InlineData("neox-reward-f32")]
    public void Info_OnARewardModelFolder_SaysSo_AndCountsTheClassifiersParameters(string name)
    {
        var folder = Path.Combine(HfFixtures, name);
        var info = Json(CliRun.Invoke("model", "info", folder, "--json"));
        using var model = HuggingFaceFolder.LoadRewardModel(folder);
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.GetProperty("parameters").GetInt64());
        Assert.Equal(1, info.GetProperty("labels").GetInt32());
        Assert.True(info.GetProperty("isRewardModel").GetBoolean());
        Assert.EndsWith("ForSequenceClassification", info.GetProperty("modelClass").GetString());
        var text = CliRun.Invoke("model", "info", folder);
        Assert.Contains("kind:          reward model (sequence classifier, 1 label)", text.Output);
    }

    [Fact]
    public void Info_NamesTheChatTemplatesFamily_OrSaysAlignLabDoesNotRenderIt()
    {
        static string TemplateOf(string family) =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(ScriptFolder.RepositoryRoot(), "tests", "AlignLab.Models.Tests", "Tokenization", "Fixtures", "chat", family, "tokenizer_config.json")))
                .RootElement.GetProperty("chat_template").GetString()!;
        var jinja = Path.Combine(_gpt2.Path, "chat_template.jinja");
        File.WriteAllText(jinja, TemplateOf("zephyr"));
        Assert.Equal("Zephyr", Json(CliRun.Invoke("model", "info", _gpt2.Path, "--json")).GetProperty("chatTemplate").GetString());
        Assert.Contains("chat template: Zephyr", CliRun.Invoke("model", "info", _gpt2.Path).Output);
        File.WriteAllText(jinja, TemplateOf("vicuna"));
        Assert.Equal("unsupported", Json(CliRun.Invoke("model", "info", _gpt2.Path, "--json")).GetProperty("chatTemplate").GetString());
        Assert.Contains("chat template: of a family AlignLab does not render", CliRun.Invoke("model", "info", _gpt2.Path).Output);
    }

    [Fact]
    public void InfoText_PrintsOneLinePerFact()
    {
        var run = CliRun.Invoke("model", "info", _gpt2.Path);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("architecture:  gpt2 (GPT2LMHeadModel)", run.Output);
        Assert.Contains("kind:          language model", run.Output);
        var bytes = new FileInfo(Path.Combine(_gpt2.Path, "model.safetensors")).Length;
        Assert.Contains($"dtype on disk: F32; {bytes / 1000.0:0.0} kB in model.safetensors", run.Output);
        Assert.Contains("vocabulary:    267 (model), 267 (tokenizer)", run.Output);
        Assert.Contains("tokenizer:     byte-level-bpe (tokenizer.json); BOS 262 (starts prompts); EOS 263, 264; pad none", run.Output);
        Assert.Contains("chat template: none", run.Output);
        Assert.Contains("end tokens:    263, 264", run.Output);
    }

    [Fact]
    public void LogProbsIds_GiveOneFewerValue_EqualToThePolicysTokenLogProbs()
    {
        int[] ids = [97, 258, 5, 261, 120, 99];
        var json = Json(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", string.Join(",", ids), "--json"));
        Assert.Equal(ids, json.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        var logProbs = json.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var reference = ReferenceLogProbs(_gpt2.Path, ids);
        Assert.Equal(ids.Length - 1, logProbs.Length);
        for (var i = 0; i < logProbs.Length; i++) Assert.Equal(reference[i], logProbs[i], 1e-5);
    }

    private static readonly string HfFixtures = Path.Combine(ScriptFolder.RepositoryRoot(), "tests", "AlignLab.Models.Tests", "Fixtures", "hf");

    // make_hf_fixtures.py's folders and make_family_fixtures.py's (qwen3, gemma, gemma2, the RoPE forms).
    private static readonly string[] ExpectedFiles = ["expected.json", "expected_families.json"];

    private static JsonElement ExpectedOf(string name) =>
        ExpectedFiles.Select(f => JsonDocument.Parse(File.ReadAllText(Path.Combine(HfFixtures, f))).RootElement)
            .First(e => e.TryGetProperty(name, out _)).GetProperty(name);

    public static TheoryData<string> HfFixtureFolders() =>
        new(ExpectedFiles.SelectMany(f => JsonDocument.Parse(File.ReadAllText(Path.Combine(HfFixtures, f))).RootElement.EnumerateObject().Select(p => p.Name)));

    [Theory]
    [MemberData(nameof(HfFixtureFolders))]
    public void LogProbsIds_MatchPyTorchOnEveryArchitectureFixture(string name)
    {
        // The engine's fixture folders (GPT-2, Llama, Qwen2, NeoX; F32/F16/BF16; sharded) and their log-probs from a
        // plain PyTorch implementation (tests/AlignLab.Models.Tests/Fixtures/make_hf_fixtures.py): the command's output is the same contract.
        var expected = ExpectedOf(name);
        var sequences = expected.GetProperty("sequences").EnumerateArray().ToArray();
        var reference = expected.GetProperty("logprobs").EnumerateArray().ToArray();
        for (var s = 0; s < sequences.Length; s++)
        {
            var ids = string.Join(",", sequences[s].EnumerateArray().Select(e => e.GetInt32()));
            var json = Json(CliRun.Invoke("model", "logprobs", Path.Combine(HfFixtures, name), "--ids", ids, "--json"));
            var got = json.GetProperty("logprobs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var want = reference[s].EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(want.Length, got.Length);
            for (var i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) < 1e-4, $"{name} sequence {s} position {i}: {got[i]} vs PyTorch {want[i]}");
        }
        var info = Json(CliRun.Invoke("model", "info", Path.Combine(HfFixtures, name), "--json"));
        var dtype = name.Contains("bf16") ? "BF16" : name.Contains("f16") ? "F16" : "F32";
        Assert.Equal([dtype], info.GetProperty("dtypesOnDisk").EnumerateArray().Select(e => e.GetString()));
        // Counted from the headers (tied heads once, buffers skipped, shards summed): the loaded model's parameters().
        using var model = HuggingFaceFolder.Load(Path.Combine(HfFixtures, name));
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.GetProperty("parameters").GetInt64());
    }

    [Fact]
    public void LogProbsText_IsTokenisedAsAPrompt_WithTheBos()
    {
        var json = Json(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--text", "Hello the world", "--json"));
        var ids = json.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(ModelTokenizer.Load(_gpt2.Path).EncodePrompt("Hello the world"), ids);
        Assert.Equal(262, ids[0]);
        Assert.Equal(ids.Length - 1, json.GetProperty("logprobs").GetArrayLength());
    }

    [Fact]
    public void LogProbsText_PrintsATableAndTheSum()
    {
        var run = CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "97,258,5");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var lines = run.Output.TrimEnd().Split('\n');
        Assert.Equal(5, lines.Length); // header, 3 tokens, sum
        Assert.Contains("Ġthe", lines[2]);
        Assert.StartsWith("sum ", lines[4]);
        Assert.Contains("over 2 predicted tokens", lines[4]);
    }

    [Fact]
    public void GenerateJson_SamplesScoreAsTheModelSays_AndTheSeedFixesThem()
    {
        string[] args = ["model", "generate", _gpt2.Path, "--prompt", "the low", "--n", "3", "--max-new-tokens", "6", "--seed", "7", "--json"];
        var json = Json(CliRun.Invoke(args));
        Assert.Equal(Json(CliRun.Invoke(args)).GetRawText(), json.GetRawText());
        var promptIds = json.GetProperty("promptIds").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var tokenizer = ModelTokenizer.Load(_gpt2.Path);
        Assert.Equal(tokenizer.EncodePrompt("the low"), promptIds);
        var samples = json.GetProperty("samples").EnumerateArray().ToArray();
        Assert.Equal(3, samples.Length);
        foreach (var sample in samples)
        {
            var ids = sample.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var finished = sample.GetProperty("finished").GetBoolean();
            Assert.InRange(ids.Length, 1, 6);
            Assert.Equal(finished, ids[^1] is 263 or 264);
            Assert.True(finished || ids.Length == 6);
            Assert.Equal(tokenizer.Decode(finished ? ids[..^1] : ids), sample.GetProperty("text").GetString());
            // Temperature 1, no top-k/top-p: the sampling log-prob is the model's own log π(y|x).
            var reference = ReferenceLogProbs(_gpt2.Path, [.. promptIds, .. ids]).Skip(promptIds.Length - 1).Sum();
            Assert.Equal(reference, sample.GetProperty("logprob").GetDouble(), 1e-4);
        }
        var other = Json(CliRun.Invoke(["model", "generate", _gpt2.Path, "--prompt", "the low", "--n", "3", "--max-new-tokens", "6", "--seed", "8", "--json"]));
        Assert.NotEqual(json.GetProperty("samples").GetRawText(), other.GetProperty("samples").GetRawText());
    }

    [Fact]
    public void GenerateText_PrintsEachSample()
    {
        var run = CliRun.Invoke("model", "generate", _gpt2.Path, "--prompt", "the", "--n", "2", "--max-new-tokens", "4");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.StartsWith("prompt (3 tokens): the", run.Output);
        Assert.Contains("--- sample 0 (", run.Output);
        Assert.Contains("--- sample 1 (", run.Output);
    }

    [Fact]
    public void SentencePieceLlama_ScoresAndSamples()
    {
        using var llama = TinyModelFolder.Llama();
        var scored = Json(CliRun.Invoke("model", "logprobs", llama.Path, "--text", "the best of n", "--json"));
        Assert.Equal(1, scored.GetProperty("ids")[0].GetInt32());
        var generated = Json(CliRun.Invoke("model", "generate", llama.Path, "--prompt", "the best", "--n", "2", "--max-new-tokens", "5", "--json"));
        var tokenizer = ModelTokenizer.Load(llama.Path);
        var promptIds = tokenizer.EncodePrompt("the best");
        foreach (var sample in generated.GetProperty("samples").EnumerateArray())
        {
            var ids = sample.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).Where(id => id != 2).ToArray();
            // The continuation's text is what it adds to the prompt's: a leading '▁' is a space, not dropped.
            Assert.Equal(tokenizer.Decode([.. promptIds, .. ids]), tokenizer.Decode(promptIds) + sample.GetProperty("text").GetString());
        }
        var info = Json(CliRun.Invoke("model", "info", llama.Path, "--json"));
        Assert.Equal("llama", info.GetProperty("architecture").GetString());
        Assert.Equal("sentencepiece", info.GetProperty("tokenizer").GetProperty("kind").GetString());
        Assert.Equal(2, info.GetProperty("keyValueHeads").GetInt32());
    }

    [Fact]
    public void MissingFolder_ExitsTwo()
    {
        var missing = Path.Combine(_scratch.Path, "nope");
        FailsWith(CliRun.Invoke("model", "info", missing), "info", missing);
    }

    [Fact]
    public void FolderWithoutConfig_ExitsTwo()
    {
        File.Copy(Path.Combine(_gpt2.Path, "tokenizer.json"), Path.Combine(_scratch.Path, "tokenizer.json"));
        FailsWith(CliRun.Invoke("model", "logprobs", _scratch.Path, "--ids", "1,2"), "logprobs", "no config.json");
    }

    [Fact]
    public void MissingShard_OrTruncatedHeader_ExitsTwo_NamingTheFile()
    {
        foreach (var f in Directory.GetFiles(Path.Combine(HfFixtures, "llama-tied-bf16-sharded"))) File.Copy(f, Path.Combine(_scratch.Path, Path.GetFileName(f)));
        var shard = Path.Combine(_scratch.Path, "model-00002-of-00003.safetensors");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..100]);
        FailsWith(CliRun.Invoke("model", "info", _scratch.Path), "info", $"'{shard}' is not a valid safetensors file");
        File.Delete(shard);
        FailsWith(CliRun.Invoke("model", "info", _scratch.Path), "info", "lists shard 'model-00002-of-00003.safetensors', which does not exist");
    }

    [Fact]
    public void UnknownArchitecture_ExitsTwo_AndInfoSaysItIsNotSupported()
    {
        var config = Path.Combine(_gpt2.Path, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"gpt2\"", "\"bert\""));
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "1,2"), "logprobs", "model_type 'bert' is not supported");
        var info = CliRun.Invoke("model", "info", _gpt2.Path);
        Assert.Equal(ExitCodes.Success, info.ExitCode);
        Assert.Contains("architecture:  bert", info.Output);
        Assert.Contains("supported:     no: '" + config + "': model_type 'bert' is not supported", info.Output);
    }

    [Fact]
    public void IdOutsideTheVocabulary_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "1,267"), "logprobs", "token id 267 is outside the vocabulary (0..266)");

    [Fact]
    public void IdsThatAreNotIntegers_ExitTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "1,x"), "logprobs", "'x' (item 2) is not an integer token id");

    [Fact]
    public void EmptyIds_ExitTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", ""), "logprobs", "--ids is empty");

    [Fact]
    public void EmptyText_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--text", ""), "logprobs", "--text is empty");

    [Fact]
    public void EmptyPrompt_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "generate", _gpt2.Path, "--prompt", ""), "generate", "--prompt is empty");

    [Fact]
    public void TextAndIdsTogether_ExitTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--text", "a", "--ids", "1"), "logprobs", "exactly one of --text and --ids");

    [Fact]
    public void ZeroTemperature_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "generate", _gpt2.Path, "--prompt", "a", "--temperature", "0"), "generate", "Temperature must be > 0");

    [Fact]
    public void PromptPlusNewTokensBeyondTheContext_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "generate", _gpt2.Path, "--prompt", "a", "--max-new-tokens", "64"), "generate", "exceeds the model's context length 64");

    [Fact]
    public void UnknownDevice_ExitsTwo() =>
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "1,2", "--device", "tpu"), "logprobs", "Unknown device 'tpu'");

    [Fact]
    public void TextWithoutATokenizer_ExitsTwo()
    {
        File.Delete(Path.Combine(_gpt2.Path, "tokenizer.json"));
        FailsWith(CliRun.Invoke("model", "logprobs", _gpt2.Path, "--text", "a"), "logprobs", "has no tokenizer (tokenizer.json, tokenizer.model or vocab.json + merges.txt): use --ids");
        Assert.Equal(ExitCodes.Success, CliRun.Invoke("model", "logprobs", _gpt2.Path, "--ids", "1,2").ExitCode);
    }

    [Fact]
    public void MalformedTokenizer_ExitsTwo_NamingTheFile()
    {
        File.WriteAllText(Path.Combine(_gpt2.Path, "tokenizer.json"), "{");
        FailsWith(CliRun.Invoke("model", "info", _gpt2.Path), "info", Path.Combine(_gpt2.Path, "tokenizer.json") + ": not valid JSON");
    }
}
