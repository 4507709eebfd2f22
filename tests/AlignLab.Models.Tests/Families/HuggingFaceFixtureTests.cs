using System.Text.Json;
using AlignLab.Engine.Policies;
using AlignLab.Models;
using AlignLab.Models.Families;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Families;

/// <summary>
/// Every architecture and RoPE form against an independent implementation: the tiny folders under Fixtures/hf and their
/// expected per-token log-probs were written by Fixtures/make_hf_fixtures.py and make_family_fixtures.py (plain PyTorch
/// following transformers' modeling code, their own safetensors writer). Also: padded batches equal single sequences
/// (and the reference's padded batch, for the newer fixtures), cached generation equals uncached, and save → load gives
/// identical log-probs.
/// </summary>
public sealed class HuggingFaceFixtureTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-hf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Fixtures() => [.. OlderFixtures(), .. FamilyFixtures()];

    // make_hf_fixtures.py's folders (expected.json).
    private static string[] OlderFixtures() =>
    [
        "gpt2-f32", "gpt2-bf16-prefixed-sharded", "llama-gqa-f16", "llama-tied-bf16-sharded", "qwen2-bias-f32",
        "neox-parallel-f32", "neox-sequential-f16-sharded", "mistral-window-f32",
    ];

    // make_family_fixtures.py's folders (expected_families.json, with the reference's padded batch).
    private static string[] FamilyFixtures() =>
    [
        "llama-rope-parameters-f32", "llama-rope-linear-f32", "llama-rope-dynamic-f32", "llama-rope-llama3-bf16",
        "llama-rope-yarn-f32", "qwen3-f32", "qwen3-yarn-f32", "qwen3-window-bf16-sharded", "gemma-f32", "gemma2-f32",
        "neox-rope-parameters-f32",
    ];

    public static TheoryData<string> BatchFixtures() => [.. FamilyFixtures()];

    // Under dynamic NTK a row's angles follow its batch's longest position, as in transformers: that fixture's padded
    // rows are checked against the reference's padded batch only.
    public static TheoryData<string> BatchInvariantFixtures() => [.. OlderFixtures(), .. FamilyFixtures().Where(n => !n.Contains("dynamic"))];

    private sealed record Expected(long[][] sequences, double[][] logprobs, int[]? prompt_lengths = null, double[][]? batch = null);

    private static Expected ExpectedOf(string name) =>
        new[] { "expected.json", "expected_families.json" }
            .Select(f => JsonSerializer.Deserialize<Dictionary<string, Expected>>(File.ReadAllText(Path.Combine(FixtureRoot, f)))!)
            .First(d => d.ContainsKey(name))[name];

    private static float[] PerToken(CausalLm model, long[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var prompt = tensor(ids[..1]).unsqueeze(0);
        var response = tensor(ids[1..]).unsqueeze(0);
        return model.TokenLogProbs(prompt, response).reshape(-1).data<float>().ToArray();
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void LogProbs_MatchTheReferenceImplementation(string name)
    {
        var expected = ExpectedOf(name);
        var reported = new List<double>();
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name), new SynchronousProgress(reported.Add));
        Assert.Equal(ScalarType.Float32, model.parameters().First().dtype);
        Assert.Equal(1.0, reported[^1]);
        Assert.True(reported.Zip(reported.Skip(1)).All(p => p.First <= p.Second), "progress must not go back");
        double worst = 0;
        for (int s = 0; s < expected.sequences.Length; s++)
        {
            var actual = PerToken(model, expected.sequences[s]);
            Assert.Equal(expected.logprobs[s].Length, actual.Length);
            for (int i = 0; i < actual.Length; i++)
            {
                worst = Math.Max(worst, Math.Abs(actual[i] - expected.logprobs[s][i]));
                Assert.True(Math.Abs(actual[i] - expected.logprobs[s][i]) < 1e-4, $"{name} sequence {s} token {i}: {actual[i]} vs {expected.logprobs[s][i]}");
            }
        }
        output.WriteLine($"{name}: max |Δ log-prob| {worst:E2} over {expected.logprobs.Sum(r => r.Length)} tokens");
    }

    [Theory]
    [MemberData(nameof(BatchFixtures))]
    public void PaddedBatch_MatchesTheReferencesPaddedBatch(string name)
    {
        var expected = ExpectedOf(name);
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        var (prompts, promptMask, responses, responseMask) = Pad(expected.sequences, expected.prompt_lengths!);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = model.TokenLogProbs(prompts, responses, promptMask, responseMask);
        double worst = 0;
        for (int s = 0; s < expected.batch!.Length; s++)
            for (int i = 0; i < expected.batch[s].Length; i++)
            {
                double actual = batch[s, i].item<float>();
                worst = Math.Max(worst, Math.Abs(actual - expected.batch[s][i]));
                Assert.True(Math.Abs(actual - expected.batch[s][i]) < 1e-4, $"{name} row {s} token {i}: {actual} vs {expected.batch[s][i]}");
            }
        output.WriteLine($"{name}: padded batch max |Δ log-prob| {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(BatchInvariantFixtures))]
    public void PaddedBatch_EqualsEachSequenceAlone(string name)
    {
        var sequences = ExpectedOf(name).sequences;
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        int[] promptLengths = [2, 4, 3];
        var (prompts, promptMask, responses, responseMask) = Pad(sequences, promptLengths);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var batch = model.TokenLogProbs(prompts, responses, promptMask, responseMask);
        var sums = model.SequenceLogProbs(prompts, responses, promptMask, responseMask);
        // The batched scorer slices the masks with the rows.
        Assert.True(SequenceScorer.LogProbs(model, prompts, responses, 2, promptMask, responseMask).allclose(sums, rtol: 0, atol: 1e-5));
        for (int s = 0; s < sequences.Length; s++)
        {
            var ids = sequences[s];
            var alone = model.TokenLogProbs(tensor(ids[..promptLengths[s]]).unsqueeze(0), tensor(ids[promptLengths[s]..]).unsqueeze(0)).reshape(-1);
            long l = alone.shape[0];
            var row = batch[s];
            Assert.True(row[TensorIndex.Slice(0, l)].allclose(alone, rtol: 0, atol: 1e-5), $"{name} row {s}");
            Assert.True(row[TensorIndex.Slice(l)].eq(0).all().item<bool>(), $"{name} row {s}: padding must count 0");
            Assert.Equal(alone.sum().item<float>(), sums[s].item<float>(), 1e-4);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void CachedGeneration_EqualsUncached_AndPaddedGreedyEqualsAlone(string name)
    {
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        var sequences = ExpectedOf(name).sequences;
        var (prompts, promptMask, _, _) = Pad(sequences, [2, 5, 3]);
        var options = new SamplingOptions(MaxLength: 6, Temperature: 0.9, TopK: 20, TopP: 0.95, EndTokens: [7]);
        var results = new List<long[]>();
        foreach (var o in new[] { options, options with { SharePromptCache = false }, options with { UseKvCache = false } })
        {
            using var g = new Generator(11);
            using var batch = model.Sample(prompts, 3, o, g, promptMask);
            results.Add(batch.Responses.reshape(-1).data<long>().ToArray());
        }
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);

        // Greedy (top-k 1) continuations of a padded batch equal each prompt's alone: masks and positions are right.
        using var g1 = new Generator(0);
        using var padded = model.Sample(prompts, 1, new SamplingOptions(6, TopK: 1), g1, promptMask);
        int[] lengths = [2, 5, 3];
        for (int s = 0; s < 3; s++)
        {
            using var prompt = tensor(sequences[s][..lengths[s]]).unsqueeze(0);
            using var alone = model.Sample(prompt, 1, new SamplingOptions(6, TopK: 1), g1);
            Assert.Equal(alone.Responses.reshape(-1).data<long>().ToArray(), padded.Responses[s].data<long>().ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void SaveThenLoad_GivesIdenticalLogProbs(string name)
    {
        var ids = ExpectedOf(name).sequences[2];
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, name));
        HuggingFaceFolder.Save(model, _dir);
        using var again = HuggingFaceFolder.Load(_dir);
        Assert.Equal(model.GetType(), again.GetType());
        Assert.Equal(model.ModelConfig.ToJson().ToJsonString(), again.ModelConfig.ToJson().ToJsonString());
        Assert.Equal(PerToken(model, ids), PerToken(again, ids));
    }

    [Fact]
    public void RightPaddedPrompts_AreRejected_NamingTheMask()
    {
        using var model = HuggingFaceFolder.Load(Path.Combine(FixtureRoot, "gpt2-f32"));
        using var prompts = tensor(new long[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var rightPadded = tensor(new long[] { 1, 1, 1, 1, 1, 0 }, 2, 3);
        using var responses = tensor(new long[] { 7, 8 }, 2, 1);
        var e = Assert.Throws<ArgumentException>(() => model.SequenceLogProbs(prompts, responses, rightPadded));
        Assert.Equal("promptMask", e.ParamName);
        using var g = new Generator(0);
        Assert.Equal("promptMask", Assert.Throws<ArgumentException>(() => model.Sample(prompts, 2, new SamplingOptions(3), g, rightPadded)).ParamName);
    }

    [Fact]
    public void ToyBase_SavedAsAHuggingFaceFolder_LoadsBackAsGpt2WithIdenticalLogProbs()
    {
        manual_seed(4);
        using var toy = new TinyGpt(new TinyGptConfig(VocabSize: 6, PromptLength: 3, DModel: 32, Heads: 2, MaxLength: 8, EndToken: 5));
        HuggingFaceFolder.Save(toy, _dir);
        using var loaded = HuggingFaceFolder.Load(_dir);
        Assert.IsType<Gpt2LmHeadModel>(loaded);
        Assert.Equal("gelu", loaded.ModelConfig.Activation);
        Assert.Equal([5L], loaded.EndTokens);
        using var prompts = tensor(new long[] { 0, 1, 2, 3, 4, 4 }, 2, 3);
        using var responses = tensor(new long[] { 1, 2, 3, 5, 0, 5, 0, 0, 2, 1 }, 2, 5);
        using var noGrad = no_grad();
        using var a = toy.TokenLogProbs(prompts, responses);
        using var b = loaded.TokenLogProbs(prompts, responses);
        Assert.True(a.eq(b).all().item<bool>());
    }

    // Progress<T> posts to the thread pool; this one reports in order, on the caller's thread.
    private sealed class SynchronousProgress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    private static (Tensor Prompts, Tensor PromptMask, Tensor Responses, Tensor ResponseMask) Pad(long[][] sequences, int[] promptLengths)
    {
        int p = promptLengths.Max(), l = sequences.Select((s, i) => s.Length - promptLengths[i]).Max();
        var prompts = new long[sequences.Length, p];
        var promptMask = new long[sequences.Length, p];
        var responses = new long[sequences.Length, l];
        var responseMask = new long[sequences.Length, l];
        for (int s = 0; s < sequences.Length; s++)
        {
            int k = promptLengths[s], offset = p - k;
            for (int j = 0; j < p; j++) prompts[s, j] = 63; // padding id: any token, it is masked
            for (int j = 0; j < k; j++) (prompts[s, offset + j], promptMask[s, offset + j]) = (sequences[s][j], 1);
            for (int j = 0; j < sequences[s].Length - k; j++) (responses[s, j], responseMask[s, j]) = (sequences[s][k + j], 1);
        }
        return (tensor(prompts), tensor(promptMask), tensor(responses), tensor(responseMask));
    }
}
