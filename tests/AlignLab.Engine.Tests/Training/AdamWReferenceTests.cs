using AlignLab.Engine.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Training;

/// <summary>
/// The trainer's hand-written AdamW, global-norm clipping and gradient accumulation against TorchSharp's own
/// <c>torch.optim.AdamW</c> and <c>nn.utils.clip_grad_norm_</c> on one full batch, step by step: resume tests only show
/// that an update rule is deterministic, this shows it is AdamW.
/// </summary>
public class AdamWReferenceTests
{
    private const int Rows = 8;

    /// <summary>A small two-layer regression net in float64, so that 1e-6 measures the rule and not float32 rounding.</summary>
    private static Sequential Net(long seed)
    {
        manual_seed(seed);
        var net = nn.Sequential(("hidden", nn.Linear(4, 6, dtype: ScalarType.Float64)), ("tanh", nn.Tanh()), ("out", nn.Linear(6, 3, dtype: ScalarType.Float64)));
        return net;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        using var g = new Generator(11);
        return (randn([Rows, 4], ScalarType.Float64, generator: g), randn([Rows, 3], ScalarType.Float64, generator: g) * 3);
    }

    // A clip that binds makes the update blind to the gradient's scale, so accumulation is also checked without one
    // (where averaging rather than summing the micro-batches matters); ε = 1e-3 keeps AdamW sensitive to that scale.
    [Theory]
    [InlineData(1, 0.5)]
    [InlineData(4, 0.5)]
    [InlineData(2, 0.0)]
    [InlineData(4, 0.0)]
    public void TrainerSteps_MatchTorchAdamW_WithClipping_AndAccumulationAsOneBigBatch(int accumulation, double clip)
    {
        var config = new TrainerConfig(Steps: 8, LearningRate: 0.05, Beta1: 0.8, Beta2: 0.95, Epsilon: 1e-3, WeightDecay: 0.1,
            WarmupSteps: 2, Schedule: LearningRateSchedule.Linear, MinLearningRateRatio: 0.2, GradientClip: clip,
            GradientAccumulation: accumulation, LogEvery: 1, Seed: 0);
        var (x, y) = Data();
        using var trained = Net(3);
        using var reference = Net(3);
        foreach (var ((_, a), (_, b)) in trained.named_parameters().Zip(reference.named_parameters())) Assert.Equal(0.0, (a - b).abs().max().item<double>());

        // The trainer, on micro-batches of Rows / accumulation rows whose mean losses average to the full batch's.
        var trainedSteps = new List<Tensor[]>();
        new Trainer(config).Run(new MicroBatches(trained, x, y, accumulation),
            _ => trainedSteps.Add(trained.parameters().Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray()));  // kept past the step's dispose scope

        // TorchSharp's AdamW with the same schedule, clipping the full batch's gradient.
        using var optimizer = optim.AdamW(reference.parameters(), config.LearningRate, config.Beta1, config.Beta2, config.Epsilon, config.WeightDecay);
        var clipped = 0;
        for (int step = 1; step <= config.Steps; step++)
        {
            optimizer.zero_grad();
            using (var loss = Loss(reference, x, y)) loss.backward();
            if (clip > 0 && nn.utils.clip_grad_norm_(reference.parameters(), clip) > clip) clipped++;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = config.LearningRateAt(step);
            optimizer.step();
            var expected = reference.parameters().ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = (trainedSteps[step - 1][i] - expected[i]).abs().max().item<double>();
                Assert.True(difference < 1e-6, $"step {step}, parameter {i}: max |trainer − torch AdamW| = {difference:E2}");
            }
        }
        Assert.Equal(config.Steps, trainedSteps.Count);
        // The clip must have acted, or the test would not cover it; and the weights must have moved.
        if (clip > 0) Assert.True(clipped >= 2, $"the gradient norm exceeded the clip at only {clipped} steps");
        using var net = Net(3);
        Assert.True((net.parameters().First() - trained.parameters().First()).abs().max().item<double>() > 1e-2);
    }

    private static Tensor Loss(nn.Module<Tensor, Tensor> net, Tensor x, Tensor y) => (net.forward(x) - y).square().mean();

    /// <summary>Step k trains on the k-th of <c>accumulation</c> equal slices of the batch, in turn.</summary>
    private sealed class MicroBatches(Sequential net, Tensor x, Tensor y, int accumulation) : IAlignmentMethod
    {
        private int calls;

        public string Name => "regression";

        public nn.Module Module => net;

        public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

        public MethodOutput Step(Generator generator)
        {
            long size = Rows / accumulation, start = calls++ % accumulation * size;
            var loss = Loss(net, x.narrow(0, start, size), y.narrow(0, start, size));
            return new MethodOutput(loss, new Dictionary<string, Tensor>());
        }
    }
}
