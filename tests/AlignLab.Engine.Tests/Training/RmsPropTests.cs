using AlignLab.Engine.Methods;
using AlignLab.Engine.Tests.Methods;
using AlignLab.Engine.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Training;

public sealed class RmsPropTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "alignlab-rmsprop-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>A deterministic float64 least-squares loss on a weight [3, 2] and a bias [3], independent of the generator.</summary>
    private sealed class LeastSquares : nn.Module, IAlignmentMethod
    {
        private readonly TorchSharp.Modules.Parameter weight;
        private readonly TorchSharp.Modules.Parameter bias;
        private readonly Tensor x = tensor(new[] { 0.5, -1.0, 2.0, 0.3, -0.7, 1.1, 0.0, 0.9 }, ScalarType.Float64).reshape(4, 2);
        private readonly Tensor y = tensor(new[] { 1.0, -2.0, 0.5, 0.2, 3.0, -1.0, 0.7, 0.0, -0.4, 1.5, 2.2, -0.3 }, ScalarType.Float64).reshape(4, 3);

        public LeastSquares() : base(nameof(LeastSquares))
        {
            weight = new TorchSharp.Modules.Parameter(tensor(new[] { 0.1, -0.2, 0.3, 0.05, -0.4, 0.25 }, ScalarType.Float64).reshape(3, 2));
            bias = new TorchSharp.Modules.Parameter(tensor(new[] { 0.0, 0.1, -0.1 }, ScalarType.Float64));
            RegisterComponents();
        }

        public static Tensor LossOf(Tensor w, Tensor b, Tensor x, Tensor y) => (x.matmul(w.t()) + b - y).square().mean();

        public string Name => "least-squares";

        public nn.Module Module => this;

        public IReadOnlyDictionary<string, Tensor> State => new Dictionary<string, Tensor>();

        public MethodOutput Step(torch.Generator generator) => new(LossOf(weight, bias, x, y), new Dictionary<string, Tensor>());

        public (Tensor X, Tensor Y) Data => (x, y);
    }

    /// <summary>
    /// Every step of the trainer's RMSprop (weight decay, warm-up into a constant rate, no clipping) equals
    /// TorchSharp's <c>torch.optim.RMSProp</c> on a copy of the parameters to 1e-6, from the same gradients.
    /// </summary>
    [Fact]
    public void EveryStep_EqualsTorchRmsProp()
    {
        const int steps = 25;
        var config = new TrainerConfig(Steps: steps, LearningRate: 0.01, WarmupSteps: 5, GradientClip: 0, WeightDecay: 0.05,
            Epsilon: 1e-8, Optimizer: OptimizerKind.RmsProp, RmsPropAlpha: 0.9, LogEvery: 1);
        using var method = new LeastSquares();
        var ours = new List<double[]>();
        new Trainer(config).Run(method, _ => ours.Add(Flatten(method.parameters())));

        using var method2 = new LeastSquares();
        var parameters = method2.parameters().ToList();
        var reference = torch.optim.RMSProp(parameters, lr: 0.01, alpha: 0.9, eps: 1e-8, weight_decay: 0.05);
        var (x, y) = method2.Data;
        for (var step = 1; step <= steps; step++)
        {
            foreach (var group in reference.ParamGroups) group.LearningRate = config.LearningRateAt(step);
            reference.zero_grad();
            LeastSquares.LossOf(parameters[0], parameters[1], x, y).backward();
            reference.step();
            var theirs = Flatten(parameters);
            var difference = theirs.Select((v, i) => Math.Abs(v - ours[step - 1][i])).Max();
            Assert.True(difference < 1e-6, $"step {step}: trainer RMSprop and torch.optim.RMSProp differ by {difference}");
        }
        Assert.True(Math.Abs(ours[0][0] - 0.1) > 1e-3, "the parameters must move");
    }

    /// <summary>
    /// BoNBoN on a fixed best/worst dataset in epochs with RMSprop, killed after a checkpoint and resumed, ends bit-identical
    /// to the uninterrupted run: the optimiser's square averages and the pass's order and position are checkpointed.
    /// </summary>
    [Fact]
    public void OfflineBonBonWithRmsProp_KilledAndResumed_EqualsUninterrupted()
    {
        float[] Run(string? checkpoints, int? killAt)
        {
            using var policy = TabularFixtures.Trainable(2);
            using var reference = TabularFixtures.Base(2);
            using var data = PreferenceDataset.FromBestOfN(reference, TabularFixtures.Prompts(2), 5, 4, TabularFixtures.Reward(2), TabularFixtures.Sampling, new Generator(3));
            using var pairs = new DatasetPairSource(data, reference, order: PairOrder.Epochs);
            var method = new BonBonMethod(policy, pairs, new BonBonConfig(N: 4, Alpha: 0.3, BatchSize: 4, Variant: AlignLab.Theory.Objectives.BonBonVariant.LogisticSum));
            var config = new TrainerConfig(Steps: 12, LearningRate: 0.05, Optimizer: OptimizerKind.RmsProp, CheckpointEvery: checkpoints is null ? 0 : 5,
                CheckpointDirectory: checkpoints, Seed: 7, LogEvery: 1);
            new Trainer(config).Run(method, p => { if (p.Step == killAt) throw new OperationCanceledException(); });
            return policy.Logits.data<float>().ToArray();
        }

        var straight = Run(null, null);
        var checkpoints = Path.Combine(folder, "ckpt");
        Assert.Throws<OperationCanceledException>(() => Run(checkpoints, 7));
        Assert.Equal(straight, Run(checkpoints, null));
    }

    private static double[] Flatten(IEnumerable<TorchSharp.Modules.Parameter> parameters) =>
        parameters.SelectMany(p => p.detach().cpu().to(ScalarType.Float64).data<double>().ToArray()).ToArray();
}
