using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Tests.Methods;
using AlignLab.Engine.Training;
using AlignLab.Models.HuggingFace;
using AlignLab.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "alignlab-trainer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    private static TrainerConfig Config(string metrics, string? checkpoints) => new(
        Steps: 40, LearningRate: 0.05, WarmupSteps: 5, Schedule: LearningRateSchedule.Cosine, MinLearningRateRatio: 0.1,
        GradientClip: 0.5, GradientAccumulation: 2, WeightDecay: 0.01, LogEvery: 1, CheckpointEvery: checkpoints is null ? 0 : 10,
        CheckpointDirectory: checkpoints, MetricsPath: metrics, Seed: 42);

    private static (TabularPolicy Policy, IAlignmentMethod Method) SftBon()
    {
        var policy = TabularFixtures.Trainable(2);
        var method = new SftBonMethod(policy, TabularFixtures.Base(2), TabularFixtures.Prompts(2), TabularFixtures.Reward(2),
            new SftBonConfig(TabularFixtures.Sampling, N: 4, BatchSize: 8));
        return (policy, method);
    }

    [Fact]
    public void KilledAndResumed_EqualsUninterrupted_BitForBit()
    {
        var (straightPolicy, straightMethod) = SftBon();
        var straightMetrics = Path.Combine(folder, "straight.jsonl");
        new Trainer(Config(straightMetrics, null)).Run(straightMethod);

        // A run "killed" at step 25 (after the step-20 checkpoint), then resumed by a fresh process-like setup.
        var checkpoints = Path.Combine(folder, "ckpt");
        var resumedMetrics = Path.Combine(folder, "resumed.jsonl");
        var (_, firstMethod) = SftBon();
        Assert.Throws<OperationCanceledException>(() => new Trainer(Config(resumedMetrics, checkpoints)).Run(
            firstMethod, p => { if (p.Step == 25) throw new OperationCanceledException(); }));
        var (resumedPolicy, resumedMethod) = SftBon();
        var result = new Trainer(Config(resumedMetrics, checkpoints)).Run(resumedMethod);

        Assert.Equal(20, result.ResumedFromStep);
        Assert.Equal(straightPolicy.Logits.data<float>().ToArray(), resumedPolicy.Logits.data<float>().ToArray());
        Assert.Equal(File.ReadAllLines(straightMetrics).Select(StripElapsed), File.ReadAllLines(resumedMetrics).Select(StripElapsed));
        Assert.Equal(40, File.ReadAllLines(resumedMetrics).Length);
    }

    [Fact]
    public void TensorBoardFiles_MirrorTheMetricsJsonl_AfterAKilledRunIsResumed()
    {
        var checkpoints = Path.Combine(folder, "tb-ckpt");
        var metrics = Path.Combine(folder, "tb", "metrics.jsonl");
        var events = Path.Combine(folder, "tb", TensorBoardLog.FolderName);
        var config = Config(metrics, checkpoints) with { TensorBoardDirectory = events };
        var (_, firstMethod) = SftBon();
        Assert.Throws<OperationCanceledException>(() => new Trainer(config).Run(firstMethod, p => { if (p.Step == 25) throw new OperationCanceledException(); }));
        Assert.Equal(25, TensorBoardEvents.ReadFolder(events).Max(s => s.Step));
        var (_, resumedMethod) = SftBon();
        new Trainer(config).Run(resumedMethod);

        // Every (step, tag, value) of the JSONL, each once, in order; steps 21-25 of the killed run are gone.
        var expected = File.ReadAllLines(metrics).SelectMany(line =>
        {
            var values = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double>>(line)!;
            return values.Where(v => v.Key != "step").Select(v => ((long)values["step"], v.Key, (float)v.Value));
        });
        Assert.Equal(expected, TensorBoardEvents.ReadFolder(events).Select(s => (s.Step, s.Tag, s.Value)));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), TensorBoardEvents.ReadFolder(events).Select(s => s.Step).Distinct());
    }

    [Fact]
    public void TensorBoardDirectory_WithoutMetricsPath_IsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerConfig(TensorBoardDirectory: folder)));
        Assert.Contains("MetricsPath", e.Message);
    }

    [Fact]
    public void NonFiniteLoss_StopsNamingTheStep_AndKeepsLastGoodCheckpoint()
    {
        var (_, inner) = SftBon();
        var checkpoints = Path.Combine(folder, "nan");
        var config = Config(Path.Combine(folder, "nan.jsonl"), checkpoints) with { GradientAccumulation = 1, CheckpointEvery = 5 };
        var e = Assert.Throws<NonFiniteLossException>(() => new Trainer(config).Run(new NanAtStep(inner, 7)));
        Assert.Equal(7, e.Step);
        Assert.Equal(5, e.LastCheckpointStep);
        Assert.Contains("step 7", e.Message);
        using var file = SafeTensors.Read(Path.Combine(checkpoints, Trainer.CheckpointFileName));
        Assert.Equal("5", file.Metadata["step"]);
    }

    [Fact]
    public void MetricsStream_HasOneJsonLinePerLoggedStep()
    {
        var (_, method) = SftBon();
        var metrics = Path.Combine(folder, "m.jsonl");
        var seen = new List<TrainingProgress>();
        new Trainer(Config(metrics, null) with { LogEvery = 10 }).Run(method, seen.Add);
        Assert.Equal(new[] { 10, 20, 30, 40 }, seen.Select(p => p.Step));
        var lines = File.ReadAllLines(metrics);
        Assert.Equal(4, lines.Length);
        Assert.Contains("\"nll\"", lines[0]);
        Assert.Contains("\"lr\"", lines[0]);
        Assert.True(seen.All(p => double.IsFinite(p.Loss) && p.Metrics.ContainsKey("grad_norm")));
    }

    [Fact]
    public void Evaluate_IsCalledEveryK_AndLogged()
    {
        var (_, method) = SftBon();
        var calls = new List<int>();
        var seen = new List<TrainingProgress>();
        new Trainer(Config(Path.Combine(folder, "e.jsonl"), null) with { EvalEvery = 15, LogEvery = 100 })
            .Run(method, seen.Add, step => { calls.Add(step); return new Dictionary<string, double> { ["score"] = step }; });
        Assert.Equal(new[] { 15, 30 }, calls);
        Assert.Equal(15.0, seen.First(p => p.Step == 15).Metrics["eval.score"]);
    }

    [Fact]
    public void Cancelled_StopsAtTheNextStep_WithACheckpoint_AndTheResumeEqualsAnUninterruptedRun()
    {
        var (straightPolicy, straightMethod) = SftBon();
        var straight = new Trainer(Config(Path.Combine(folder, "straight.jsonl"), null)).Run(straightMethod);

        // "Ctrl-C" while step 23 is logged: the trainer finishes that step and stops before step 24, off the 10-step grid.
        var checkpoints = Path.Combine(folder, "cancel");
        using var cancellation = new CancellationTokenSource();
        var (_, firstMethod) = SftBon();
        var e = Assert.Throws<TrainingCancelledException>(() => new Trainer(Config(Path.Combine(folder, "c.jsonl"), checkpoints) with { LogEvery = 1 })
            .Run(firstMethod, p => { if (p.Step == 23) cancellation.Cancel(); }, cancellationToken: cancellation.Token));
        Assert.Equal(23, e.Step);
        Assert.Equal(23, Trainer.CheckpointStep(checkpoints));
        Assert.Contains("stopped after step 23 of 40", e.Message);

        var (resumedPolicy, resumedMethod) = SftBon();
        var resumed = new Trainer(Config(Path.Combine(folder, "c.jsonl"), checkpoints)).Run(resumedMethod);
        Assert.Equal(23, resumed.ResumedFromStep);
        Assert.Equal(straightPolicy.Logits.data<float>().ToArray(), resumedPolicy.Logits.data<float>().ToArray());
        Assert.Equal(straight.Last.Loss, resumed.Last.Loss);
    }

    [Fact]
    public void ResumeWithAnotherLearningRate_IsRefusedNamingTheField_UnlessAllowed()
    {
        var checkpoints = Path.Combine(folder, "lr");
        var config = Config(Path.Combine(folder, "lr.jsonl"), checkpoints) with { Steps = 20 };
        var (_, first) = SftBon();
        new Trainer(config with { Steps = 10 }).Run(first);

        // The cosine schedule depends on T, so a changed Steps is a change too; the first field named is the learning rate.
        var (_, second) = SftBon();
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(config with { LearningRate = 0.5 }).Run(second));
        Assert.StartsWith($"Cannot resume from checkpoint '{Path.Combine(checkpoints, Trainer.CheckpointFileName)}': Steps is 20 now but 10 in the checkpoint (and LearningRate)", e.Message);
        Assert.Equal(["Steps", "LearningRate"], e.Differences.Select(d => d.Field));
        Assert.Equal(10, Trainer.CheckpointStep(checkpoints));

        var (_, third) = SftBon();
        var allowed = new Trainer(config with { LearningRate = 0.5, AllowConfigChange = true }).Run(third);
        Assert.Equal(10, allowed.ResumedFromStep);
        Assert.Equal(["Steps", "LearningRate"], allowed.ConfigChanges.Select(d => d.Field));
        Assert.Equal(("0.05", "0.5"), (allowed.ConfigChanges[1].Stored, allowed.ConfigChanges[1].Current));
    }

    [Fact]
    public void ResumeWithAnotherMethodConfig_IsRefused_AndLongerTrainingUnderAConstantScheduleIsNot()
    {
        var checkpoints = Path.Combine(folder, "method");
        var config = new TrainerConfig(Steps: 10, LearningRate: 0.05, CheckpointDirectory: checkpoints, Seed: 1);
        var (_, first) = SftBon();
        new Trainer(config).Run(first);

        var policy = TabularFixtures.Trainable(2);
        var otherN = new SftBonMethod(policy, TabularFixtures.Base(2), TabularFixtures.Prompts(2), TabularFixtures.Reward(2),
            new SftBonConfig(TabularFixtures.Sampling, N: 8, BatchSize: 8));
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(config with { Steps = 15 }).Run(otherN));
        Assert.Contains("method.N is 8 now but 4 in the checkpoint", e.Message);

        var (_, same) = SftBon();
        Assert.Equal(10, new Trainer(config with { Steps = 15, LogEvery = 5 }).Run(same).ResumedFromStep);
    }

    [Fact]
    public void ACheckpointWrittenBeforeAConfigFieldExisted_ResumesWithThatFieldAtItsDefault()
    {
        var checkpoints = Path.Combine(folder, "old");
        var config = new TrainerConfig(Steps: 6, LearningRate: 0.05, CheckpointDirectory: checkpoints, Seed: 1);
        var (_, first) = SftBon();
        new Trainer(config with { Steps = 4 }).Run(first);
        // Rewrite the stored trainer config without its WeightDecay field, as an AlignLab before that field would have written it.
        var path = Path.Combine(checkpoints, Trainer.CheckpointFileName);
        using (var file = SafeTensors.Read(path))
        {
            var metadata = file.Metadata.ToDictionary();
            var stored = System.Text.Json.Nodes.JsonNode.Parse(metadata["trainer_config"])!.AsObject();
            Assert.True(stored.Remove("WeightDecay"));
            metadata["trainer_config"] = stored.ToJsonString();
            SafeTensors.Write(path, file.Tensors.ToDictionary(), metadata);
        }
        var (_, again) = SftBon();
        Assert.Equal(4, new Trainer(config).Run(again).ResumedFromStep);
        var (_, changed) = SftBon();
        Assert.Contains("WeightDecay is 0.1 now but 0 in the checkpoint", Assert.Throws<IncompatibleResumeException>(
            () => new Trainer(config with { WeightDecay = 0.1, Steps = 8 }).Run(changed)).Message);
    }

    [Fact]
    public void CheckpointPastTheRequestedSteps_IsAnError_AndOneAtTheLastStepKeepsTheFinalLoss()
    {
        var checkpoints = Path.Combine(folder, "past");
        var config = new TrainerConfig(Steps: 12, LearningRate: 0.05, CheckpointDirectory: checkpoints, Seed: 1);
        var (_, first) = SftBon();
        var finished = new Trainer(config).Run(first);

        var (_, again) = SftBon();
        var rerun = new Trainer(config).Run(again);
        Assert.Equal((12, 12), (rerun.Steps, rerun.ResumedFromStep));
        Assert.Equal(finished.Last.Loss, rerun.Last.Loss);

        var (_, shorter) = SftBon();
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(config with { Steps = 8 }).Run(shorter));
        Assert.Contains("is at step 12, past the 8 steps asked for", e.Message);
    }

    private static string StripElapsed(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"elapsed_s\":[^,}]*", "");

    /// <summary>A method whose loss becomes NaN from a given step on.</summary>
    private sealed class NanAtStep(IAlignmentMethod inner, int badStep) : IAlignmentMethod
    {
        private int calls;

        public string Name => inner.Name;

        public nn.Module Module => inner.Module;

        public IReadOnlyDictionary<string, Tensor> State => inner.State;

        public MethodOutput Step(torch.Generator generator)
        {
            var output = inner.Step(generator);
            return ++calls >= badStep ? output with { Loss = output.Loss * double.NaN } : output;
        }
    }
}
