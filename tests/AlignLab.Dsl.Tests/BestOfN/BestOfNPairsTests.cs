using AlignLab.Dsl;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Methods;
using AlignLab.Models.HuggingFace;
using AlignLab.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Dsl.Tests.BestOfN;

/// <summary>
/// Offline training from a best-of-n file built by <see cref="BestOfNBuilder"/> on a tiny GPT-2 and a tiny reward model:
/// the pairs read back are the file's best and worst samples (left-padded prompts, right-padded responses whose policy
/// log-probs are the file's), BoNBoN and SFT-BoN train from them, and ties and bad records are counted and reported.
/// </summary>
public sealed class BestOfNPairsTests : IDisposable
{
    private static readonly string[] PromptTexts =
    [
        "Hi", "Question: why is the sky blue?", "the low world", "Tell me a very long story about the colour of the evening sky.",
        "a", "Hello the low world, a longer prompt", "Why?", "Sky",
    ];

    private readonly TinyModelFolder _policyFolder = TinyModelFolder.Gpt2(seed: 1);
    private readonly TinyModelFolder _rewardFolder = TinyModelFolder.LlamaReward(seed: 2);
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-bon-pairs-").FullName;
    private readonly LanguageModel _policy;
    private readonly string _file;

    public BestOfNPairsTests()
    {
        EndEarly(_policyFolder.Path);
        _policy = Models.Load(_policyFolder.Path, "cpu");
        _file = Path.Combine(_dir, "pairs.jsonl");
        using var reward = Models.LoadReward(_rewardFolder.Path, _policy);
        var builder = new BestOfNBuilder(_policy, reward, new GenerationOptions(N: 4, MaxNewTokens: 6, Seed: 7));
        using var file = new FileStream(_file, FileMode.Create, FileAccess.Write);
        for (int i = 0; i < PromptTexts.Length; i++) BestOfNFile.Append(file, builder.Build(i, PromptTexts[i], i + 1));
    }

    public void Dispose()
    {
        _policy.Dispose();
        _policyFolder.Dispose();
        _rewardFolder.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>
    /// Makes the random policy end about one response token in six, at either of its end tokens (config.json's 263,
    /// generation_config.json's 264), so that samples have different lengths, end at both ids and responses are
    /// right-padded: the final norm puts a constant 3 in hidden dimension 0, which only the end tokens' (tied)
    /// embeddings read, raising their logits by 2.7.
    /// </summary>
    private static void EndEarly(string folder)
    {
        using var model = HuggingFaceFolder.Load(folder);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            parameters["transformer.ln_f.weight"][0].fill_(0);
            parameters["transformer.ln_f.bias"][0].fill_(3);
            parameters["transformer.wte.weight"][263, 0].fill_(0.9);
            parameters["transformer.wte.weight"][264, 0].fill_(0.9);
        }
        HuggingFaceFolder.Save(model, folder);
    }

    private IReadOnlyList<long> EndTokens => _policy.Policy.EndTokens;

    [Fact]
    public void Pairs_AreTheFilesBestAndWorst_WithLeftPaddedPromptsAndTheFilesLogProbs()
    {
        var records = BestOfNFile.Read(_file);
        using var data = BestOfNPairs.Read(_file, _policy, new BestOfNPairOptions(BadRows.Skip));
        Assert.Equal([263L, 264L], EndTokens);
        // Samples ending at either end token are responses of the policy: no record is refused.
        var expected = records.Where(r => r.Samples[r.Best].Reward != r.Samples[r.Worst].Reward).ToArray();
        Assert.Equal(expected.Select(r => r.Index), data.Records.Select(r => r.Index));
        Assert.Empty(data.Skipped);
        var ends = data.Records.SelectMany(r => new[] { r.Samples[r.Best], r.Samples[r.Worst] }).Where(s => s.Finished).Select(s => s.Ids[^1]).ToHashSet();
        Assert.True(ends.SetEquals([263, 264]), $"pairs end at {string.Join(", ", ends)}");
        Assert.Equal(4, data.N);
        Assert.True(data.Records.Count >= 5, data.Summary);

        var pairs = data.Pairs;
        Assert.NotNull(pairs.PromptMask);
        var width = (int)pairs.Prompts.shape[1];
        var length = (int)pairs.Chosen.shape[1];
        var prompts = pairs.Prompts.data<long>().ToArray();
        var mask = pairs.PromptMask!.data<bool>().ToArray();
        var chosen = pairs.Chosen.data<long>().ToArray();
        var rejected = pairs.Rejected.data<long>().ToArray();
        for (int i = 0; i < data.Records.Count; i++)
        {
            var record = data.Records[i];
            var promptIds = _policy.EncodePrompt(record.Prompt);
            var real = Enumerable.Range(0, width).Where(j => mask[i * width + j]).ToArray();
            // Left padding: the real tokens are the last columns, and they are the prompt's ids.
            Assert.Equal(Enumerable.Range(width - promptIds.Count, promptIds.Count), real);
            Assert.Equal(promptIds.Select(id => (long)id), real.Select(j => prompts[i * width + j]));
            AssertPadded(record.Samples[record.Best].Ids, chosen.AsSpan(i * length, length).ToArray());
            AssertPadded(record.Samples[record.Worst].Ids, rejected.AsSpan(i * length, length).ToArray());
        }
        Assert.True(data.Records.Select(r => r.Prompt).Select(p => _policy.EncodePrompt(p).Count).Distinct().Count() >= 3, "prompts of several lengths");
        Assert.Contains(data.Records, r => r.Samples[r.Best].Ids.Count < length || r.Samples[r.Worst].Ids.Count < length);

        // The policy scores each padded row exactly as the builder scored the sample alone.
        using var noGrad = no_grad();
        var best = _policy.Policy.SequenceLogProbs(pairs.Prompts, pairs.Chosen, pairs.PromptMask).to(ScalarType.Float64).data<double>().ToArray();
        var worst = _policy.Policy.SequenceLogProbs(pairs.Prompts, pairs.Rejected, pairs.PromptMask).to(ScalarType.Float64).data<double>().ToArray();
        for (int i = 0; i < data.Records.Count; i++)
        {
            Assert.Equal(data.Records[i].Samples[data.Records[i].Best].LogProb, best[i], 1e-4);
            Assert.Equal(data.Records[i].Samples[data.Records[i].Worst].LogProb, worst[i], 1e-4);
        }
    }

    private void AssertPadded(IReadOnlyList<int> ids, long[] row)
    {
        Assert.Equal(ids.Select(id => (long)id), row.Take(ids.Count));
        Assert.All(row.Skip(ids.Count), t => Assert.Equal(EndTokens[0], t));
    }

    [Fact]
    public void BonBon_TrainsFromTheFile_LossFallsAndTheGapGrows_AndSftBonOnTheBestLowersTheirNll()
    {
        using var data = BestOfNPairs.Read(_file, _policy, new BestOfNPairOptions(BadRows.Skip));
        using var reference = Models.Load(_policyFolder.Path, "cpu");
        foreach (var p in reference.Policy.parameters()) p.requires_grad_(false);
        using var source = new DatasetPairSource(data.Pairs, reference.Policy, order: PairOrder.Epochs);
        // Full batches in epoch order: every step sees every pair, so the loss is a deterministic function of the weights.
        var batch = (int)data.Pairs.Count;
        using var bonbon = new BonBonMethod(_policy.Policy, source, new BonBonConfig(N: data.N, BatchSize: batch, EndTokens: EndTokens));
        var (losses, gaps) = Train(bonbon, steps: 8, "gap");
        Assert.Equal(0, gaps[0], 1e-5); // the policy starts at the reference
        Assert.True(losses[^1] < losses[0] - 0.05, $"BoNBoN loss {losses[0]} -> {losses[^1]}");
        Assert.True(gaps[^1] > gaps[0] + 0.1, $"log-ratio gap {gaps[0]} -> {gaps[^1]}");

        using var fresh = Models.Load(_policyFolder.Path, "cpu");
        using var tiesKept = BestOfNPairs.Read(_file, fresh, new BestOfNPairOptions(BadRows.Skip, DropTies: false));
        var sft = new SftMethod(fresh.Policy, tiesKept.Pairs.Prompts, tiesKept.Pairs.Chosen, new SftConfig(BatchSize: 16), tiesKept.Pairs.PromptMask);
        var (nll, _) = Train(sft, steps: 8, "nll");
        // Before any step the SFT loss is the mean negative file log-prob of the best samples drawn.
        Assert.True(nll[^1] < nll[0] - 0.5, $"SFT-BoN nll {nll[0]} -> {nll[^1]}");
    }

    private static (double[] Losses, double[] Metric) Train(AlignLab.Engine.Training.IAlignmentMethod method, int steps, string metric)
    {
        using var generator = new Generator(3);
        var optimizer = optim.Adam(method.Module.parameters(), lr: 3e-2);
        var losses = new double[steps];
        var values = new double[steps];
        for (int s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = method.Step(generator);
            output.Loss.backward();
            optimizer.step();
            losses[s] = output.Loss.item<float>();
            values[s] = output.Metrics[metric].to(ScalarType.Float64).item<double>();
        }
        return (losses, values);
    }

    [Fact]
    public void TiesAndBadRecords_AreCountedAndReportedWithTheirLine()
    {
        var records = BestOfNFile.Read(_file).ToList();
        Assert.True(records.Count >= 4);
        var tied = records[0] with { Samples = records[0].Samples.Select(s => s with { Reward = 1.5 }).ToArray() };
        var outOfRange = records[1] with { Best = 9 };
        // The second end token before the sample's last token: the policy's log-prob would stop there.
        var endInside = records[2] with
        {
            Samples = records[2].Samples.Select((s, i) => i == records[2].Best ? s with { Ids = [5, 264, 6, 263], Finished = true } : s).ToArray(),
        };
        var path = Path.Combine(_dir, "edited.jsonl");
        File.WriteAllLines(path, [.. new[] { tied, outOfRange, endInside }.Concat(records.Skip(3)).Select(BestOfNFile.ToJsonLine), "{\"index\": 7, \"prom"]);

        var stop = Assert.Throws<InvalidDataException>(() => BestOfNPairs.Read(path, _policy));
        Assert.Equal($"{path}:2: \"best\" is 9, not one of the 4 samples.", stop.Message);

        using var dropped = BestOfNPairs.Read(path, _policy, new BestOfNPairOptions(BadRows.Skip));
        Assert.Equal([2, 3, records.Count + 1], dropped.Skipped.Select(e => e.Line));
        Assert.Equal("the best sample (" + records[2].Best + ") has the end token 264 at position 1, before its last token.", dropped.Skipped[1].Message);
        Assert.StartsWith("not a best-of-n record", dropped.Skipped[2].Message);
        Assert.Equal(1, dropped.Ties);
        Assert.Equal(records.Skip(3).Select(r => r.Index), dropped.Records.Select(r => r.Index));
        Assert.Contains("(1 tied record dropped) (3 bad records skipped)", dropped.Summary);

        using var kept = BestOfNPairs.Read(path, _policy, new BestOfNPairOptions(BadRows.Skip, DropTies: false));
        Assert.Equal(records.Count - 2, (int)kept.Pairs.Count);
        Assert.Equal(tied.Index, kept.Records[0].Index);
        Assert.Equal(1, kept.Ties);
        Assert.Contains("(1 tied record kept)", kept.Summary);
    }
}
