using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Models;
using AlignLab.Engine.Tests.Methods;
using AlignLab.Engine.Training;
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
