using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Engine.Training;

/// <summary>
/// AdamW (Loshchilov &amp; Hutter 2019) with its moment estimates exposed as named tensors, so that a checkpoint holds the
/// optimiser exactly and a resumed run continues bit for bit. Per parameter, with g its gradient and t the step:
/// θ ← θ(1 − ηλ); m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; θ ← θ − η·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
/// </summary>
internal sealed class AdamW : IOptimizer
{
    private readonly IReadOnlyList<Parameter> parameters;
    private readonly Tensor[] firstMoments;
    private readonly Tensor[] secondMoments;
    private readonly TrainerConfig config;

    public AdamW(IReadOnlyList<Parameter> parameters, TrainerConfig config)
    {
        this.parameters = parameters;
        this.config = config;
        firstMoments = parameters.Select(p => zeros_like(p).requires_grad_(false)).ToArray();
        secondMoments = parameters.Select(p => zeros_like(p).requires_grad_(false)).ToArray();
    }

    /// <inheritdoc />
    public string Name => "adamw";

    /// <summary>Number of updates taken so far, t.</summary>
    public int StepCount { get; set; }

    /// <summary>The moment estimates, "m.i" and "v.i" for the i-th parameter.</summary>
    public IReadOnlyDictionary<string, Tensor> State =>
        Enumerable.Range(0, parameters.Count)
            .SelectMany(i => new[] { ($"m.{i}", firstMoments[i]), ($"v.{i}", secondMoments[i]) })
            .ToDictionary(e => e.Item1, e => e.Item2);

    /// <summary>One update with learning rate <paramref name="learningRate"/> from the parameters' current gradients.</summary>
    public void Step(double learningRate)
    {
        StepCount++;
        var correction1 = 1 - Math.Pow(config.Beta1, StepCount);
        var correction2 = 1 - Math.Pow(config.Beta2, StepCount);
        using var noGrad = no_grad();
        for (var i = 0; i < parameters.Count; i++)
        {
            var grad = parameters[i].grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            if (config.WeightDecay > 0) parameters[i].mul_(1 - learningRate * config.WeightDecay);
            firstMoments[i].mul_(config.Beta1).add_(grad, alpha: 1 - config.Beta1);
            secondMoments[i].mul_(config.Beta2).addcmul_(grad, grad, value: 1 - config.Beta2);
            var denominator = (secondMoments[i] / correction2).sqrt_().add_(config.Epsilon);
            parameters[i].addcdiv_(firstMoments[i], denominator, value: -learningRate / correction1);
        }
    }

    public void Dispose()
    {
        foreach (var t in firstMoments.Concat(secondMoments)) t.Dispose();
    }
}
