using AlignLab.Dsl;
using AlignLab.Engine.Estimation;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Tasks;
using AlignLab.Engine.Training;
using AlignLab.Models.Generation;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Dsl.Tests.Experiments;

/// <summary>
/// The CPU-checkable proxy for device correctness (issue 16 item 2). No GPU is at hand, but a tensor that product code
/// creates without the run's <see cref="ComputeContext"/> gets torch's defaults, and the dtype default can be changed on a
/// CPU: a whole experiment (exact best-of-n, a pair method, an RLOO method, exact evaluation) run with the context's
/// dtype float64 must give bit-identical numbers whether torch's default dtype is float32 or float64, and every
/// parameter, pair batch, reward, loss and metric along the way must be float64. Both also with a non-default thread
/// count. These tests change torch's process-wide defaults, so their collection runs alone.
/// </summary>
[Collection(GlobalTorchStateCollection.Name)]
public sealed class ComputeContextPropagationTests : IDisposable
{
    private static readonly ToyTaskConfig TaskConfig = new(VocabSize: 3, PromptLength: 2, ResponseLength: 3, PromptCount: 4, ProcessSeed: 2);
    private static readonly ToyBaseConfig BaseConfig = new(DModel: 8, Heads: 2, Layers: 1, Steps: 40, BatchSize: 64);

    private readonly string root = Directory.CreateTempSubdirectory("alignlab-float64-").FullName;

    private string Cache => Path.Combine(root, "cache");

    public void Dispose() => Directory.Delete(root, recursive: true);

    private Experiment Plan(int threads) =>
        Experiment.Named("float64-proxy")
            .On(Tasks.Toy(TaskConfig).WithBase(BaseConfig).CachedIn(Cache))
            .Compare(Methods.BestOfN(4), Methods.Dpo(beta: 0.5, n: 4), Methods.Rlhf(beta: 1))
            .WithScale(new ExperimentScale(Steps: 4, LearningRate: 1e-2, WarmupSteps: 0, PairBatchSize: 8, PromptBatchSize: 4,
                SamplesPerPrompt: 3, CdfSamples: 16, LogEvery: 1))
            .WithDType(ScalarType.Float64).WithThreads(threads).WithProgress(false)
            .StoreIn(Path.Combine(root, "runs-" + Guid.NewGuid().ToString("N")[..8]));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Float64Experiment_GivesTheSameBits_WhateverTorchsDefaultDtype(int threads)
    {
        // The base is pretrained (on its own float32 CPU context) and cached by the first run; both runs load it.
        var first = Plan(threads).Run();
        var cached = Directory.GetFiles(Cache).Select(File.GetLastWriteTimeUtc).ToList();
        var previous = get_default_dtype();
        set_default_dtype(ScalarType.Float64);
        ExperimentResult second;
        try
        {
            second = Plan(threads).Run();
        }
        finally
        {
            set_default_dtype(previous);
        }
        Assert.Equal(ScalarType.Float32, previous);
        // The second run read the cached base rather than pretraining a new one.
        Assert.Equal(cached, Directory.GetFiles(Cache).Select(File.GetLastWriteTimeUtc).ToList());
        Assert.StartsWith("cpu, Float64", first.Compute, StringComparison.Ordinal);
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        // The comparison is not vacuous: both trained rows moved off the base.
        Assert.All(first.Rows.Where(r => r.Spec.IsTrained), r => Assert.True(r.Kl > 1e-6, $"{r.Method}: KL {r.Kl}"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Float64Context_ReachesEveryParameterBatchRewardLossAndMetric(int threads)
    {
        using var context = ComputeContext.Create(new ComputeOptions(Seed: 1, Device: "cpu", DType: ScalarType.Float64, Threads: threads));
        using var task = new ToyTask(TaskConfig, context);
        using var reference = task.LoadOrPretrainBase(BaseConfig, Cache);
        reference.eval();
        AssertFloat64(reference, "reference");
        var sampling = new SamplingOptions(MaxLength: TaskConfig.ResponseLength);
        var pairs = new AuditedPairs(new BestWorstPairSource(reference, task.Prompts, task.GoldReward, 4, sampling));

        foreach (var (name, build) in new (string, Func<TinyGpt, IAlignmentMethod>)[]
        {
            ("dpo", policy => new DpoMethod(policy, pairs, new DpoConfig(Beta: 0.5, BatchSize: 8))),
            ("rlhf", policy => new RlhfMethod(policy, reference, task.Prompts, task.GoldReward, new RlhfConfig(sampling, Beta: 1, SamplesPerPrompt: 3, BatchSize: 4))),
        })
        {
            using var policy = task.LoadOrPretrainBase(BaseConfig, Cache);
            AssertFloat64(policy, name);
            var method = new AuditedMethod(build(policy));
            new Trainer(new TrainerConfig(Steps: 3, LearningRate: 1e-2, LogEvery: 3, Seed: 1)).Run(method);
            Assert.Equal(3, method.Steps);
            AssertFloat64(policy, name + " after training");
            var metrics = ExactEvaluation.Evaluate(task, policy, reference, task.OffTarget);
            Assert.True(metrics.Kl > 0 && double.IsFinite(metrics.WinRate), $"{name}: {metrics}");
        }
        Assert.True(pairs.Batches > 0);
        using var rewards = task.GoldReward.Score(task.Prompts[..1], task.AllResponses[..1]);
        Assert.Equal(ScalarType.Float64, rewards.dtype);
    }

    /// <summary>Every number a run reports, printed round-trip exact (elapsed times left out).</summary>
    private static string Fingerprint(ExperimentResult result)
    {
        var rows = result.Rows.Select(r => string.Join(" ", r.Method, R(r.WinRate), R(r.Kl), R(r.ExpectedReward), R(r.OffTarget), R(r.FinalLoss)));
        var metrics = File.ReadAllLines(Path.Combine(result.RunFolder, "metrics.jsonl"))
            .Select(line => System.Text.RegularExpressions.Regex.Replace(line, "\"(time|elapsed)[^\"]*\":[^,}]*,?", ""));
        return string.Join("\n", rows.Concat(metrics));
    }

    private static string R(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static void AssertFloat64(nn.Module module, string what)
    {
        foreach (var (name, p) in module.named_parameters())
            Assert.True(p.dtype == ScalarType.Float64, $"{what}: parameter {name} is {p.dtype}");
    }

    private static void AssertFloat64(Tensor tensor, string what) =>
        Assert.True(tensor.dtype == ScalarType.Float64, $"{what} is {tensor.dtype}, not the context's Float64");

    /// <summary>A pair source that checks every batch it hands out.</summary>
    private sealed class AuditedPairs(IPreferencePairSource inner) : IPreferencePairSource
    {
        public int Batches { get; private set; }

        public PreferenceBatch Next(int batchSize, Generator generator)
        {
            var batch = inner.Next(batchSize, generator);
            AssertFloat64(batch.ChosenReferenceLogProbs, "chosen reference log-probs");
            AssertFloat64(batch.RejectedReferenceLogProbs, "rejected reference log-probs");
            Batches++;
            return batch;
        }
    }

    /// <summary>A method whose every step's loss and metrics are checked.</summary>
    private sealed class AuditedMethod(IAlignmentMethod inner) : IAlignmentMethod
    {
        public int Steps { get; private set; }

        public string Name => inner.Name;

        public nn.Module Module => inner.Module;

        public IReadOnlyDictionary<string, Tensor> State => inner.State;

        public MethodOutput Step(Generator generator)
        {
            var output = inner.Step(generator);
            AssertFloat64(output.Loss, $"{Name} loss");
            foreach (var (metric, value) in output.Metrics) AssertFloat64(value, $"{Name} metric {metric}");
            Steps++;
            return output;
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalTorchStateCollection
{
    public const string Name = "torch's process-wide defaults";
}
