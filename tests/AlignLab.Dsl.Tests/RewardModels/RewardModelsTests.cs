using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl;
using AlignLab.Dsl.Tests.Toy;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Rewards;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using AlignLab.Tests;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AlignLab.Dsl.Tests.RewardModels;

/// <summary>
/// <see cref="Dsl.RewardModels.TrainBradleyTerry(string, string, string, BradleyTerryOptions?, IProgress{string}?, Action{AlignLab.Engine.Training.TrainingProgress}?)"/>
/// on a tiny GPT-2 folder (byte-level tokenizer: BOS starts prompts, EOS 263): pairs labelled by a known rule are learned
/// (held-out accuracy significantly above chance), the saved folder scores as the trained model did, bad input is named.
/// </summary>
public sealed class RewardModelsTests(ITestOutputHelper output) : IDisposable
{
    private readonly TinyModelFolder _base = TinyModelFolder.Gpt2(seed: 4);
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-reward-").FullName;

    public void Dispose()
    {
        _base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static readonly BradleyTerryOptions Fast = new(Steps: 150, LearningRate: 3e-3, BatchSize: 16, Seed: 1, ValidationFraction: 0.25, Device: "cpu");

    /// <summary>
    /// Pairs whose chosen response holds more 'a's than the rejected one (both random strings over "abxy" of 2–7
    /// characters, so lengths differ and padding matters), for <paramref name="prompts"/> distinct prompts of varying length.
    /// </summary>
    private string RulePairs(int count, int prompts, string name = "pairs.jsonl")
    {
        var random = new Random(5);
        string Text() => new(Enumerable.Range(0, random.Next(2, 8)).Select(_ => "abxy"[random.Next(4)]).ToArray());
        var lines = new List<string>();
        while (lines.Count < count)
        {
            string y1 = Text(), y2 = Text();
            int a1 = y1.Count(c => c == 'a'), a2 = y2.Count(c => c == 'a');
            if (a1 == a2) continue;
            var prompt = $"Q{lines.Count % prompts}" + new string('?', lines.Count % prompts % 3);
            lines.Add(JsonSerializer.Serialize(new { prompt, chosen = a1 > a2 ? y1 : y2, rejected = a1 > a2 ? y2 : y1 }));
        }
        var path = Path.Combine(_dir, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public void Pairs_labelled_by_a_rule_give_held_out_accuracy_significantly_above_chance()
    {
        var outFolder = Path.Combine(_dir, "reward");
        var log = new LogLines();
        var result = Dsl.RewardModels.TrainBradleyTerry(_base.Path, RulePairs(400, 40), outFolder, Fast, log);
        foreach (var line in log.Lines) output.WriteLine(line);
        var accuracy = result.HeldOutAccuracy!;
        // 10 of the 40 prompts held out, with all their pairs.
        Assert.Equal(100, result.ValidationPairs);
        Assert.Equal(300, result.TrainPairs);
        // Significance against chance: under H0 (accuracy ½) the mean of n pairs has standard error ½/√n.
        Assert.True((accuracy.Value - 0.5) / (0.5 / Math.Sqrt(accuracy.SampleCount)) > 3, $"held-out accuracy {accuracy}");
        Assert.Contains(log.Lines, l => l.Contains("held-out pairwise accuracy"));

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outFolder, "config.json")))!;
        Assert.Equal("GPT2ForSequenceClassification", config["architectures"]![0]!.GetValue<string>());
        Assert.Equal(1, config["num_labels"]!.GetValue<int>());
        Assert.Equal(File.ReadAllBytes(Path.Combine(_base.Path, "tokenizer.json")), File.ReadAllBytes(Path.Combine(outFolder, "tokenizer.json")));
        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outFolder, TrainedRewardModel.TrainingFile)))!;
        Assert.Equal(accuracy.Value, record["held_out_accuracy"]!["value"]!.GetValue<double>());

        // The saved folder, loaded as a reward for the base's samples, ranks the rule the same way on fresh text.
        using var policy = Models.Load(_base.Path, "cpu");
        using var reward = Models.LoadReward(outFolder, policy);
        Assert.False(reward.Reencodes);
        Assert.True(reward.ScoreTexts(["Q1"], ["aaab"])[0] > reward.ScoreTexts(["Q1"], ["xbyx"])[0]);
    }

    [Fact]
    public void The_saved_folder_scores_exactly_as_the_trained_model_and_as_a_reward_of_the_base_tokens()
    {
        using var trunk = HuggingFaceFolder.Load(_base.Path);
        var tokenizer = ModelTokenizer.Load(_base.Path);
        // Left-padded prompts of 1–3 tokens; responses of 1–4 tokens padded after the end token 263.
        var random = new Random(2);
        int n = 24;
        var prompts = new long[n, 4];
        var mask = new bool[n, 4];
        var chosen = new long[n, 5];
        var rejected = new long[n, 5];
        for (int i = 0; i < n; i++)
        {
            int p = 1 + i % 4;
            for (int j = 4 - p; j < 4; j++) (prompts[i, j], mask[i, j]) = (random.Next(97, 123), true);
            foreach (var row in new[] { chosen, rejected })
            {
                int l = random.Next(1, 5);
                for (int t = 0; t < 5; t++) row[i, t] = t < l ? random.Next(97, 123) : 263;
            }
        }
        using var pairs = new PreferenceDataset(tensor(prompts), tensor(chosen), tensor(rejected), tensor(mask));
        using var trained = Dsl.RewardModels.TrainBradleyTerry(trunk, pairs, Fast with { Steps = 5 }, [263]);
        var folder = Path.Combine(_dir, "saved");
        trained.Save(folder, _base.Path);

        using var loaded = HuggingFaceFolder.LoadRewardModel(folder);
        using var noGrad = no_grad();
        var inMemory = trained.Model.ScoreResponses(pairs.Prompts, pairs.Chosen, pairs.PromptMask, [263]);
        var fromDisk = loaded.ScoreResponses(pairs.Prompts, pairs.Chosen, pairs.PromptMask, [263]);
        Assert.True(inMemory.eq(fromDisk).all().item<bool>());

        // As a reward of the base's tokens: each row alone (its real prompt tokens, the response cut at the end token).
        using var reward = SequenceClassifierReward.Load(folder, tokenizer, endTokens: [263]);
        var expected = inMemory.data<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            int p = 1 + i % 4;
            var score = reward.Score(tensor(Enumerable.Range(4 - p, p).Select(j => prompts[i, j]).ToArray()).unsqueeze(0),
                tensor(Enumerable.Range(0, 5).Select(t => chosen[i, t]).ToArray()).unsqueeze(0));
            Assert.Equal(expected[i], score.item<float>(), 1e-5f);
        }
    }

    [Fact]
    public void A_best_of_n_file_trains_on_best_versus_worst_and_leaves_out_prompts_without_a_difference()
    {
        var path = Path.Combine(_dir, "bon.jsonl");
        BestOfNSample Sample(string text, double reward) => new(text, [], true, reward, -1, -1);
        var records = Enumerable.Range(0, 12).Select(i => new BestOfNRecord(i, i + 1, $"prompt {i}",
            i == 3 ? [Sample("same", 1), Sample("same", 0)] : [Sample("aaa", 2), Sample("bx", 0), Sample("ab", 1)], 0, 1));
        File.WriteAllLines(path, records.Select(BestOfNFile.ToJsonLine));
        var log = new LogLines();
        var result = Dsl.RewardModels.TrainBradleyTerry(_base.Path, path, Path.Combine(_dir, "bon-reward"), Fast with { Steps = 3 }, log);
        Assert.Equal(11, result.TrainPairs + result.ValidationPairs);
        Assert.Contains(log.Lines, l => l.Contains("left out 1 prompt"));
    }

    [Fact]
    public void Bad_inputs_are_named()
    {
        var pairs = RulePairs(20, 5);
        var missing = Assert.Throws<DirectoryNotFoundException>(() => Dsl.RewardModels.TrainBradleyTerry(Path.Combine(_dir, "nope"), pairs, Path.Combine(_dir, "o1"), Fast));
        Assert.Contains("nope", missing.Message);

        using var classifier = TinyModelFolder.LlamaReward();
        var notLm = Assert.Throws<ArgumentException>(() => Dsl.RewardModels.TrainBradleyTerry(classifier.Path, pairs, Path.Combine(_dir, "o2"), Fast));
        Assert.Contains("LlamaForSequenceClassification, not a causal language model", notLm.Message);

        var bad = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllLines(bad, [File.ReadLines(pairs).First(), "{\"prompt\": \"Q\", \"chosen\": \"a\"}"]);
        var badRow = Assert.Throws<InvalidDataException>(() => Dsl.RewardModels.TrainBradleyTerry(_base.Path, bad, Path.Combine(_dir, "o3"), Fast));
        Assert.Equal($"{bad}:2: \"rejected\" is missing or null.", badRow.Message);

        var tooLong = Path.Combine(_dir, "long.jsonl");
        File.WriteAllLines(tooLong, [JsonSerializer.Serialize(new { prompt = "Q", chosen = new string('a', 100), rejected = "b" })]);
        var longRow = Assert.Throws<InvalidDataException>(() => Dsl.RewardModels.TrainBradleyTerry(_base.Path, tooLong, Path.Combine(_dir, "o4"), Fast));
        Assert.StartsWith($"{tooLong}:1: the pair is 102 tokens long; the base model has 64 positions.", longRow.Message);

        var onePrompt = Path.Combine(_dir, "one.jsonl");
        File.WriteAllLines(onePrompt, File.ReadLines(RulePairs(6, 1, "one-prompt.jsonl")));
        var split = Assert.Throws<ArgumentException>(() => Dsl.RewardModels.TrainBradleyTerry(_base.Path, onePrompt, Path.Combine(_dir, "o5"), Fast));
        Assert.Contains("at least 2 distinct prompts", split.Message);

        var used = Directory.CreateDirectory(Path.Combine(_dir, "used")).FullName;
        File.WriteAllText(Path.Combine(used, "x"), "");
        var inUse = Assert.Throws<ArgumentException>(() => Dsl.RewardModels.TrainBradleyTerry(_base.Path, pairs, used, Fast));
        Assert.Contains("already exists and is not empty", inUse.Message);
        Assert.Throws<ArgumentException>(() => Dsl.RewardModels.TrainBradleyTerry(_base.Path, pairs, Path.Combine(_dir, "o6"), Fast with { ValidationFraction = 1 }));
        // Nothing was left behind by the failed runs.
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith('o') || Path.GetFileName(d).StartsWith(".o"));
    }
}
