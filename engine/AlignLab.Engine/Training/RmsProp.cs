using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Engine.Training;

/// <summary>
/// RMSprop (Tieleman &amp; Hinton 2012) as <c>torch.optim.RMSprop</c> computes it (no momentum, not centred), with its
/// square-average exposed as named tensors for checkpoints. Per parameter, with g its gradient, α the smoothing constant
/// <see cref="TrainerConfig.RmsPropAlpha"/>, λ <see cref="TrainerConfig.WeightDecay"/> (added to the gradient, as torch
/// does, not decoupled) and ε <see cref="TrainerConfig.Epsilon"/>:
/// g ← g + λθ; v ← αv + (1−α)g²; θ ← θ − η·g/(√v + ε).
/// </summary>
internal sealed class RmsProp : IOptimizer
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] squareAverages;
    private readonly TrainerConfig config;

    public RmsProp(IReadOnlyList<Parameter> parameters, TrainerConfig config)
    {
        this.parameters = parameters;
        this.config = config;
        squareAverages = parameters.Select(p => zeros_like(p).requires_grad_(false)).ToArray();
    }

    /// <inheritdoc />
    public string Name => "rmsprop";

    /// <inheritdoc />
    public int StepCount { get; set; }

    /// <summary>The square averages, "v.i" for the i-th parameter.</summary>
    public IReadOnlyDictionary<string, Tensor> State =>
        Enumerable.Range(0, parameters.Count).ToDictionary(i => $"v.{i}", i => squareAverages[i]);

    /// <inheritdoc />
    public void Step(double learningRate)
    {
        StepCount++;
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            var g = config.WeightDecay > 0 ? grad.add(parameters[i], alpha: config.WeightDecay) : grad;
            squareAverages[i].mul_(config.RmsPropAlpha).addcmul_(g, g, value: 1 - config.RmsPropAlpha);
            var denominator = squareAverages[i].sqrt().add_(config.Epsilon);
            parameters[i].addcdiv_(g, denominator, value: -learningRate);
        }
    }

    public void Dispose()
    {
        foreach (var t in squareAverages) t.Dispose();
    }
}
