using System.Text.Json;
using AlignLab.Dsl;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Lora;
using AlignLab.Tests;
using AlignLab.Theory;
using Xunit.Abstractions;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// A tiny toy task (4 symbols, responses of 4, 6 prompts) exported once as Hugging Face folders (policy = the toy base,
/// a Bradley–Terry reward model, prompts.jsonl), so the real path runs on a task whose every quantity is also exact.
/// </summary>
public sealed class TinyRealFixture : IDisposable
{
    public TinyRealFixture()
    {
        Root = Directory.CreateTempSubdirectory("alignlab-real-").FullName;
        Toy = Tasks.ToyLanguage(seed: 3, vocabSize: 4, responseLength: 4, promptCount: 6)
            .WithBase(new ToyBaseConfig(DModel: 16, Heads: 2, Layers: 1, Steps: 80, BatchSize: 128))
            .CachedIn(Path.Combine(Root, "cache"));
        Folders = ToyModels.ExportHuggingFace(Path.Combine(Root, "export"), Toy);
    }

    public string Root { get; }
    public TaskSpec Toy { get; }
    public ToyModelFolders Folders { get; }

    /// <summary>The exported task: 1 training prompt, 5 held out, every response of 4 symbols (the toy has no end token).</summary>
    public RealTaskSpec Task(int evalSamples = 16) =>
        Tasks.Real(Folders.Policy, Folders.Reward, Folders.Prompts, maxPromptTokens: Toy.Config.PromptLength,
            maxResponseTokens: Toy.Config.ResponseLength, trainPrompts: 1, evalPrompts: 5, evalSamplesPerPrompt: evalSamples, batchSize: 8);

    public string NewStore() => Path.Combine(Root, "runs-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

/// <summary>
/// Experiments on real tasks (issue 11, items 4–5): the Monte-Carlo rows of the base and of best-of-n agree with the exact
/// toy values within 4 standard errors, trained rows resume after Ctrl-C to the table of an uninterrupted run and save
/// their policies, and validation names every bad input before any work.
/// </summary>
public sealed class RealExperimentTests(TinyRealFixture fixture, ITestOutputHelper output) : IClassFixture<TinyRealFixture>
{
    [Fact]
    public void BaseAndBestOfNRows_AgreeWithTheExactToyValues_Within4StandardErrors()
    {
        const int n = 4;
        var task = fixture.Task(evalSamples: 32);
        var result = Experiment.Named("real-truth").On(task).StoreIn(fixture.NewStore()).WithProgress(false)
            .Compare(Methods.Base(), Methods.BestOfN(n)).Run();

        // The truth: every response of every held-out prompt enumerated under the exported policy and reward model.
        using var toy = new ToyTask(fixture.Toy.Config);
        using var policy = HuggingFaceFolder.Load(fixture.Folders.Policy);
        using var reward = SequenceClassifierReward.Load(fixture.Folders.Reward);
        var held = task.SplitPrompts().Eval.Select(r => r.Line - 1).ToList();
        Assert.Equal(5, held.Count);
        var exact = held.Select(k =>
        {
            var d = new RewardDistribution(Enumeration.Probabilities(toy, policy, k), Enumeration.Values(toy, reward, k));
            return (Base: d.Probabilities.Zip(d.Rewards, (p, r) => p * r).Sum(), BoN: Frontiers.Compute(d, FrontierFamily.BestOfN, [n])[0]);
        }).ToList();

        var baseRow = result.Row("base");
        Assert.Equal(0.0, baseRow.Kl);
        Assert.Equal(0.0, baseRow.KlStdErr);
        // Exact by exchangeability: the reference against itself wins half its comparisons.
        Assert.Equal(0.5, baseRow.WinRate);
        Assert.Equal(0.0, baseRow.WinRateStdErr);
        AssertWithin4Se(exact.Average(e => e.Base), baseRow.ExpectedReward, baseRow.ExpectedRewardStdErr, "base expected reward");
        Assert.Equal(fixture.Toy.Config.ResponseLength, baseRow.OffTarget);

        var bon = result.Row($"best-of-n(n={n})");
        AssertWithin4Se(exact.Average(e => e.BoN.WinRate), bon.WinRate, bon.WinRateStdErr, "BoN win rate");
        AssertWithin4Se(exact.Average(e => e.BoN.ExpectedReward), bon.ExpectedReward, bon.ExpectedRewardStdErr, "BoN expected reward");
        AssertWithin4Se(exact.Average(e => e.BoN.Kl), bon.Kl, bon.KlStdErr, "BoN KL");
        Assert.Equal(Math.Log(n) - (n - 1.0) / n, bon.KlBound, 12);
        Assert.True(exact.Average(e => e.BoN.Kl) <= bon.KlBound);

        // Every estimate carries its standard error into the table, and the BoN row its exact bound.
        var table = result.Table;
        foreach (var column in new[] { "win_rate", "win_rate_se", "kl", "kl_se", "kl_bound", "expected_reward", "expected_reward_se", "off_target", "off_target_se" })
            Assert.Contains(column, table.Columns);
        Assert.Equal(bon.KlBound, (double)table.Rows[1]["kl_bound"]!);
        Assert.Null(table.Rows[0]["kl_bound"]);
        Assert.True(bon.WinRateStdErr > 0 && bon.ExpectedRewardStdErr > 0);
    }

    [Fact]
    public void LoraRow_CancelledMidRow_ThenResumed_GivesTheTableOfAnUninterruptedRun_AndSavesItsAdapter()
    {
        const string Dpo = "DPO(n=4, β=0.5)";
        Experiment Tiny(string store) => Experiment.Named("real-resume").On(fixture.Task(evalSamples: 4)).StoreIn(store).WithProgress(false)
            .WithScale(new ExperimentScale(Steps: 8, LearningRate: 1e-2, WarmupSteps: 0, PairBatchSize: 4, LogEvery: 2))
            .WithLora(new LoraConfig(Rank: 2, Alpha: 4)).WithGradientAccumulation(2).WithCheckpoints(every: 4)
            .Compare(Methods.Base(), Methods.Dpo(beta: 0.5, n: 4));

        var straight = Tiny(fixture.NewStore()).Run();

        var store = fixture.NewStore();
        // "Ctrl-C" at the DPO row's first progress line (step 2 of 8): it stops before step 3, off the checkpoint grid.
        var cancelled = CtrlC.AtFirstProgressOf(Dpo, Tiny(store));
        Assert.Equal($"1 of 2 rows finished; {Dpo} saved at step 2 of 8", cancelled.Saved);
        var rows = new RowStore(RunStore.Open(store).Load(cancelled.RunId).Folder);
        Assert.Equal(2, Trainer.CheckpointStep(rows.RowFolder(Methods.Dpo(beta: 0.5, n: 4).Key(0))));
        // The row's checkpoint holds the adapters, not the frozen base it reloads from the policy folder on resume.
        using (var checkpoint = SafeTensors.Read(Path.Combine(rows.RowFolder(Methods.Dpo(beta: 0.5, n: 4).Key(0)), Trainer.CheckpointFileName)))
        {
            var module = checkpoint.Tensors.Keys.Where(k => k.StartsWith("module.", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(module);
            Assert.All(module, k => Assert.Contains(".lora_", k));
            Assert.Contains("frozen_weights", checkpoint.Metadata.Keys);
        }

        var resumed = Tiny(store).Run(new ExperimentResume(), CancellationToken.None);

        Assert.Equal(cancelled.RunId, resumed.RunId);
        Assert.Equal(Cells(straight.Table), Cells(resumed.Table));
        var trained = resumed.Row(Dpo);
        Assert.Equal(8, trained.Steps);
        Assert.True(trained.Kl > 0 && trained.KlStdErr > 0, $"a trained policy moved from its reference: KL {trained.Kl} ± {trained.KlStdErr}");
        // The adapters, in PEFT's layout, load back onto the policy and give the trained model.
        var adapter = Path.Combine(rows.RowFolder(Methods.Dpo(beta: 0.5, n: 4).Key(0)), "adapter");
        var saved = PeftAdapterFolder.ReadConfig(adapter);
        Assert.Equal((2, 4.0, 0.0), (saved.Rank, saved.Alpha, saved.Dropout));
    }

    [Fact]
    public void FullFineTuning_FromAnOfflineBestOfNFile_UnderATextReward_SavesALoadablePolicyFolder()
    {
        // A reward written in the script: the response's symbols read as a base-4 fraction, so distinct responses never tie.
        var task = fixture.Task(evalSamples: 2) with
        {
            Reward = null,
            RewardFunction = (_, y) => y.Select((c, i) => (c - 'a') * Math.Pow(4, -i)).Sum(),
            RewardName = "base-4 reading",
        };
        var file = task.BuildBestOfN(Path.Combine(fixture.Root, $"bon-{Guid.NewGuid():N}.jsonl"), n: 4);
        Assert.Single(BestOfNFile.Read(file)); // the one training prompt; held-out prompts are never sampled
        var result = Experiment.Named("real-offline").On(task.WithBestOfN(file)).StoreIn(fixture.NewStore()).WithProgress(false)
            .WithScale(new ExperimentScale(Steps: 3, LearningRate: 1e-2, WarmupSteps: 0, PairBatchSize: 2, LogEvery: 1))
            .Compare(Methods.BonBon(n: 4), Methods.SftBon(n: 4)).Run();

        Assert.All(result.Rows, r => Assert.True(double.IsFinite(r.FinalLoss) && r.Steps == 3, $"{r.Method}: loss {r.FinalLoss}, {r.Steps} steps"));
        var folder = Path.Combine(new RowStore(result.RunFolder).RowFolder(Methods.BonBon(n: 4).Key(0)), "policy");
        using var saved = Models.Load(folder, "cpu");
        Assert.True(saved.HasTokenizer);
        Assert.Equal("gpt2", saved.Info().Architecture);
    }

    [Fact]
    public void RowsComputedAsASweepsJobs_ThenCollected_GiveTheTableOfTheWholeRun_JBondIncluded()
    {
        Experiment Tiny(string store) => Experiment.Named("real-sweep").On(fixture.Task(evalSamples: 2)).StoreIn(store).WithProgress(false)
            .WithScale(new ExperimentScale(Steps: 2, LearningRate: 1e-2, WarmupSteps: 0, PairBatchSize: 2, LogEvery: 1))
            .Compare(Methods.Base(), Methods.BestOfN(2), Methods.IpoBon(n: 2), Methods.JBond(n: 2));
        var whole = Tiny(fixture.NewStore()).Run();

        var experiment = Tiny(fixture.NewStore());
        string id;
        using (var run = experiment.OpenRunStore().StartRun(experiment.Name, experiment.Seed, experiment, detached: true)) id = run.Id;
        foreach (var key in experiment.MethodSpecs.Select(m => m.Key(experiment.Seed)).Reverse())
            Assert.Equal($"row {key} of run {id} finished", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Row, id, key), CancellationToken.None));
        Assert.Equal($"collected all 4 rows of run {id}", experiment.RunSweepStep(new ExperimentSweep(SweepStep.Collect, id), CancellationToken.None));

        Assert.Equal(Cells(whole.Table), Cells(experiment.OpenRunStore().Load(id).Table!));
    }

    [Fact]
    public void GptWithAnEndToken_PromptsOfDifferentLengths_AndARewardModelWithAnotherTokenizer_GiveFiniteRowsWithStandardErrors()
    {
        // A random tiny GPT-2 (byte-level BPE, EOS 263) scored by a Llama reward model (SentencePiece): responses are
        // decoded and re-encoded, prompts of 1 to 6 words are left-padded with a mask, and samples may stop at EOS.
        using var policy = TinyModelFolder.Gpt2(seed: 1);
        using var rewardModel = TinyModelFolder.LlamaReward(seed: 2);
        // Two end tokens (config.json's 263 and generation_config.json's 264): sampling, log-probs, offline pairs and the
        // reward's cut all end a response at either.
        var prompts = Path.Combine(fixture.Root, $"prompts-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(1, 12).Select(i =>
            JsonSerializer.Serialize(new { prompt = string.Join(' ', Enumerable.Repeat("so", 1 + i % 6)) })));
        var task = Tasks.Real(policy.Path, rewardModel.Path, prompts, maxPromptTokens: 24, maxResponseTokens: 6, evalPrompts: 4,
            evalSamplesPerPrompt: 3, batchSize: 3);
        var file = task.BuildBestOfN(Path.Combine(fixture.Root, $"bon-{Guid.NewGuid():N}.jsonl"), n: 3);
        var result = Experiment.Named("real-gpt2").On(task.WithBestOfN(file)).StoreIn(fixture.NewStore()).WithProgress(false)
            .WithScale(new ExperimentScale(Steps: 2, LearningRate: 1e-3, WarmupSteps: 0, PairBatchSize: 4, LogEvery: 1))
            .WithLora(new LoraConfig(Rank: 2))
            .Compare(Methods.Base(), Methods.BestOfN(3), Methods.Dpo(beta: 0.1, n: 3), Methods.Rlhf(beta: 0.1).WithSteps(1)).Run();

        Assert.All(result.Rows, r =>
        {
            foreach (var (value, stdErr) in new[] { (r.WinRate, r.WinRateStdErr), (r.Kl, r.KlStdErr), (r.ExpectedReward, r.ExpectedRewardStdErr), (r.OffTarget, r.OffTargetStdErr) })
                Assert.True(double.IsFinite(value) && double.IsFinite(stdErr) && stdErr >= 0, $"{r.Method}: {value} ± {stdErr}");
            Assert.InRange(r.OffTarget, 1, 6);
        });
        Assert.Equal([0, 0, 2, 1], result.Rows.Select(r => r.Steps));
    }

    [Fact]
    public void EveryTrainedMethod_TakesAStepOnARealModel_WithFullFineTuningAndOnlineSamples()
    {
        // Each of the ten trained methods, wired by the DSL on a real folder: a tiny GPT-2 with two end tokens, prompts of
        // 1 to 6 words left-padded with a mask, a reward written in the script, pairs and RLOO samples drawn fresh from
        // the KV-cached sampler. One step each moves the weights, so every row's KL estimate is non-zero.
        using var policy = TinyModelFolder.Gpt2(seed: 3);
        var prompts = Path.Combine(fixture.Root, $"prompts-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(1, 10).Select(i =>
            JsonSerializer.Serialize(new { prompt = string.Join(' ', Enumerable.Repeat("so", 1 + i % 6)) })));
        var task = Tasks.Real(policy.Path, null, prompts, maxPromptTokens: 24, maxResponseTokens: 5, evalPrompts: 3, evalSamplesPerPrompt: 2,
            batchSize: 4, rewardFunction: (_, y) => y.Count(c => c == 'o'), rewardName: "o-count");
        var trained = new[]
        {
            Methods.SftBon(n: 2), Methods.BonBon(n: 2), Methods.IpoBon(n: 2), Methods.Dpo(beta: 0.1, n: 2), Methods.Ipo(beta: 0.1, n: 2),
            Methods.Vbon(n: 2), Methods.Bond(n: 2, beta: 0.5), Methods.JBond(n: 2, beta: 0.5), Methods.Rlhf(beta: 0.1),
        };
        var result = Experiment.Named("real-every-method").On(task).StoreIn(fixture.NewStore()).WithProgress(false)
            .WithScale(new ExperimentScale(Steps: 1, LearningRate: 1e-2, WarmupSteps: 0, PairBatchSize: 3, PromptBatchSize: 2, SamplesPerPrompt: 2,
                CdfSamples: 4, LogEvery: 1))
            .Compare(trained).Run();

        Assert.Equal(trained.Length, result.Rows.Count);
        Assert.All(result.Rows, r =>
        {
            Assert.Equal(1, r.Steps);
            Assert.True(double.IsFinite(r.FinalLoss), $"{r.Method}: loss {r.FinalLoss}");
            foreach (var (value, stdErr) in new[] { (r.WinRate, r.WinRateStdErr), (r.Kl, r.KlStdErr), (r.ExpectedReward, r.ExpectedRewardStdErr), (r.OffTarget, r.OffTargetStdErr) })
                Assert.True(double.IsFinite(value) && double.IsFinite(stdErr) && stdErr >= 0, $"{r.Method}: {value} ± {stdErr}");
            Assert.True(r.Kl != 0, $"{r.Method}: the trained policy's log-probs equal the reference's: no step was taken");
            Assert.True(File.Exists(Path.Combine(result.RunFolder, "rows", r.Spec.Key(0), "policy", "model.safetensors")), $"{r.Method}: no saved policy");
        });
    }

    [Fact]
    public void ChatTemplate_RendersEveryPrompt_AndAFolderWithoutOneIsAValidationProblem()
    {
        using var policy = TinyModelFolder.Gpt2(seed: 1);
        var prompts = Path.Combine(fixture.Root, $"prompts-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(prompts, Enumerable.Range(1, 6).Select(i => JsonSerializer.Serialize(new { prompt = $"say {i}" })));
        var template = Path.Combine(fixture.Root, $"qa-{Guid.NewGuid():N}.txt");
        File.WriteAllText(template, "Q: {prompt}\nA:");
        var task = Tasks.Real(policy.Path, null, prompts, maxPromptTokens: 24, evalPrompts: 2, rewardFunction: (_, y) => y.Length,
            chatTemplate: template);

        var split = task.SplitPrompts();
        Assert.Equal(6, split.Train.Count + split.Eval.Count);
        Assert.All(split.Train.Concat(split.Eval), r => Assert.Matches(@"^Q: say \d\nA:$", r.Prompt));
        // The untemplated task reads the same rows as they are.
        Assert.All((task with { ChatTemplate = "none" }).SplitPrompts().Train, r => Assert.Matches(@"^say \d$", r.Prompt));
        // The fixture folder has no chat template of its own: "auto" is refused before any work, naming the folder.
        var problems = Experiment.Named("chat").On(task with { ChatTemplate = "auto" }).Compare(Methods.Base()).Validate();
        Assert.Contains(problems, p => p.Contains("has no chat template", StringComparison.Ordinal) && p.Contains(policy.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NamesEveryBadInput_BeforeAnyWork()
    {
        var badPrompts = Path.Combine(fixture.Root, "bad-prompts.jsonl");
        File.WriteAllLines(badPrompts, ["{\"prompt\": \"abc\"}", "{\"text\": \"abc\"}"]);
        var task = Tasks.Real(Path.Combine(fixture.Root, "no-policy"), fixture.Folders.Policy, badPrompts, evalPrompts: 1) with
        {
            BestOfN = Path.Combine(fixture.Root, "no-bon.jsonl"),
        };
        var problems = Experiment.Named("bad").On(task).WithFrontiers(Frontier.BestOfN).WithGradientAccumulation(0)
            .Compare(Methods.BonBon(n: 4)).Validate();

        void Named(string fragment) => Assert.Single(problems, p => p.Contains(fragment, StringComparison.Ordinal));
        Named("no-policy: the folder does not exist");
        Named("not a *ForSequenceClassification reward model");
        Named("bad-prompts.jsonl:2");
        Named("evalPrompts must be >= 2");
        Named("no-bon.jsonl: the file does not exist");
        Named("drop .WithFrontiers");
        Named("gradient accumulation must be >= 1");
        Assert.Equal(7, problems.Count);
        Assert.Throws<ExperimentValidationException>(() => Experiment.Named("bad").On(task).Compare(Methods.Base()).Run(null, CancellationToken.None));
    }

    private void AssertWithin4Se(double truth, double estimate, double standardError, string what)
    {
        output.WriteLine($"{what}: exact {truth:F4}, estimate {estimate:F4} ± {standardError:F4}");
        Assert.True(standardError > 0 ? Math.Abs(estimate - truth) <= 4 * standardError : estimate == truth,
            $"{what}: estimate {estimate} ± {standardError}, exact {truth} ({Math.Abs(estimate - truth) / standardError:F1} SE)");
    }

    private static List<string> Cells(ResultTable table) =>
        [.. table.Rows.Select(row => string.Join(" | ", table.Columns.Where(c => c != "train_seconds").Select(c => ResultTable.Format(row[c]))))];
}
