using System.Text.Json;
using AlignLab.Engine.Rewards;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tests.Tokenization;
using AlignLab.Models.Tokenization;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Models.Tests.Families;

/// <summary>
/// Reward models from *ForSequenceClassification folders: the tiny folders Fixtures/make_hf_fixtures.py and
/// make_family_fixtures.py wrote (GPT-2, Llama, GPT-NeoX, Qwen3, Gemma, Gemma2 bodies with a score head) score as its plain-PyTorch reference does, alone and in right-padded
/// batches; save → load keeps the scores; a policy with another tokenizer gets the rewards of the decoded text.
/// </summary>
public sealed class RewardModelFixtureTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-rm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Fixtures() =>
        ["gpt2-reward-f32", "llama-reward-f32", "neox-reward-f32", "qwen3-reward-f32", "gemma-reward-f32", "gemma2-reward-f32"];

    private sealed record Expected(int[][] sequences, double[] rewards);

    // make_hf_fixtures.py wrote the first three, make_family_fixtures.py the newer families'.
    private static Expected ExpectedOf(string name) =>
        new[] { "expected_rewards.json", "expected_family_rewards.json" }
            .Select(f => JsonSerializer.Deserialize<Dictionary<string, Expected>>(File.ReadAllText(Path.Combine(FixtureRoot, f)))!)
            .First(d => d.ContainsKey(name))[name];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Alone_and_in_padded_batches_the_scores_equal_the_reference(string name)
    {
        var expected = ExpectedOf(name);
        using var model = HuggingFaceFolder.LoadRewardModel(Path.Combine(FixtureRoot, name));
        // The rewards share the model (disposed once, above).
        var single = new SequenceClassifierReward(model, null, batchSize: 1).ScoreIds(expected.sequences);
        for (int i = 0; i < single.Length; i++) Assert.Equal(expected.rewards[i], single[i], 1e-4);
        output.WriteLine($"{name}: max |Δ reward| {single.Select((r, i) => Math.Abs(r - expected.rewards[i])).Max():E2}");

        // Lengths 9, 3, 14, 6: in batches of 4 and 3 every row but the longest is right-padded.
        foreach (var batchSize in new[] { 4, 3 })
        {
            var scores = new SequenceClassifierReward(model, null, batchSize: batchSize).ScoreIds(expected.sequences);
            for (int i = 0; i < scores.Length; i++) Assert.Equal(single[i], scores[i], 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Save_then_load_keeps_the_scores_and_the_layout(string name)
    {
        var expected = ExpectedOf(name);
        using var model = HuggingFaceFolder.LoadRewardModel(Path.Combine(FixtureRoot, name));
        HuggingFaceFolder.Save(model, _dir);
        using var reloaded = new SequenceClassifierReward(HuggingFaceFolder.LoadRewardModel(_dir), null);
        var scores = reloaded.ScoreIds(expected.sequences);
        for (int i = 0; i < scores.Length; i++) Assert.Equal(expected.rewards[i], scores[i], 1e-4);
        var config = File.ReadAllText(Path.Combine(_dir, HuggingFaceFolder.ConfigFile));
        Assert.Contains(model.ArchitectureName, config);
        using var reader = SafeTensorsReader.Open(Path.Combine(_dir, HuggingFaceFolder.WeightsFile));
        Assert.Equal([1L, model.ModelConfig.HiddenSize], reader.Entries["score.weight"].Shape);
    }

    [Fact]
    public void A_language_model_folder_is_not_a_reward_model()
    {
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceFolder.LoadRewardModel(Path.Combine(FixtureRoot, "gpt2-f32")));
        Assert.Contains("ForSequenceClassification", e.Message);
        Assert.Contains("config.json", e.Message);
    }

    [Fact]
    public void A_classifier_with_two_labels_is_rejected()
    {
        CopyFolder(Path.Combine(FixtureRoot, "llama-reward-f32"), _dir);
        var configPath = Path.Combine(_dir, "config.json");
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"id2label\": {", "\"id2label\": {\"1\": \"LABEL_1\", "));
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceFolder.LoadRewardModel(_dir));
        Assert.Contains("2 labels", e.Message);
    }

    [Fact]
    public void A_policy_with_another_tokenizer_gets_the_rewards_of_the_decoded_text()
    {
        // Reward model: Llama body with the SentencePiece tokenizer; policy: the byte-level BPE tokenizer.
        torch.random.manual_seed(5);
        using (var fresh = new SequenceClassificationModel(new TransformerConfig("llama", VocabSize: 384, HiddenSize: 32, Layers: 2, Heads: 4,
                   IntermediateSize: 64, MaxPositions: 128, Activation: "silu", TieWordEmbeddings: false, BosTokenId: 1, EosTokenIds: [2])))
            HuggingFaceFolder.Save(fresh, _dir);
        File.Copy(Path.Combine(TokenizerFixtures.SentencePiece, "tokenizer.model"), Path.Combine(_dir, "tokenizer.model"));
        var policyTokenizer = ModelTokenizer.Load(TokenizerFixtures.ByteLevel);
        using var reward = SequenceClassifierReward.Load(_dir, policyTokenizer, batchSize: 2);
        Assert.True(reward.Reencodes);

        string[] prompts = ["Hello world.", "The cat sat"], responses = [" It is sunny today", " on the mat, quietly."];
        var eos = policyTokenizer.SpecialIds.Eos[0];
        // Prompts left-padded (the policy's BOS first), responses ended by EOS and filled after it as sampling does.
        var promptIds = prompts.Select(p => policyTokenizer.EncodePrompt(p)).ToArray();
        var responseIds = responses.Select(r => policyTokenizer.Encode(r).Append(eos).ToArray()).ToArray();
        int pl = promptIds.Max(p => p.Count), rl = responseIds.Max(r => r.Length) + 2;
        var p = new long[2, pl];
        var mask = new long[2, pl];
        var r = new long[2, rl];
        for (int i = 0; i < 2; i++)
        {
            for (int j = 0; j < promptIds[i].Count; j++) (p[i, pl - promptIds[i].Count + j], mask[i, pl - promptIds[i].Count + j]) = (promptIds[i][j], 1);
            for (int j = 0; j < rl; j++) r[i, j] = j < responseIds[i].Length ? responseIds[i][j] : eos;
        }
        var scores = reward.Score(tensor(p), tensor(r), tensor(mask)).data<float>().ToArray();
        var direct = reward.ScoreTexts(prompts, responses);
        for (int i = 0; i < 2; i++) Assert.Equal(direct[i], scores[i], 1e-5);
        Assert.NotEqual(direct[0], direct[1]);
    }

    [Fact]
    public void With_the_same_tokenizer_the_ids_are_scored_as_they_are_up_to_the_end_token()
    {
        using var model = HuggingFaceFolder.LoadRewardModel(Path.Combine(FixtureRoot, "neox-reward-f32"));
        using var reward = new SequenceClassifierReward(model, null);
        Assert.False(reward.Reencodes);
        // The config's EOS is 0: the response [5, 9, 0, 7] counts as [5, 9].
        var scores = reward.Score(tensor(new long[,] { { 3, 4 } }), tensor(new long[,] { { 5, 9, 0, 7 } })).data<float>().ToArray();
        Assert.Equal(reward.ScoreIds([[3, 4, 5, 9]])[0], scores[0], 1e-6);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }
}
