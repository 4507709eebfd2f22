using AlignLab.Engine.Rewards;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Bayesian;

/// <summary>
/// The reward r*(y) and the per-example Jacobian factors (<see cref="LinearBlockFactors"/>, float64) of a reward model's
/// parameter subset, from one forward pass and, for LoRA, one backward pass per batch: rows are independent, so the
/// gradient of Σ_b r_b at a layer's output is each row's own gradient.
/// </summary>
internal static class SubsetFactors
{
    /// <summary>Rewards [B] (model dtype) and one factor pair per block: the head [1, D+1] (bias as last input column),
    /// or A [r, in] then B [out, r] of every LoRA layer in model order.</summary>
    public static (Tensor Rewards, LinearBlockFactors[] Blocks) Compute(RewardModel model, LaplaceSubset subset, Tensor prompts, Tensor responses, int batchSize)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            var rows = prompts.shape[0];
            var parts = new List<(Tensor Rewards, LinearBlockFactors[] Blocks)>();
            for (long start = 0; start < rows; start += batchSize)
            {
                var length = Math.Min(batchSize, rows - start);
                var p = prompts.narrow(0, start, length);
                var y = responses.narrow(0, start, length);
                parts.Add(subset == LaplaceSubset.LastLayer ? LastLayer(model, p, y) : Lora(model, p, y));
            }
            var rewards = cat(parts.Select(b => b.Rewards).ToArray(), 0);
            var blocks = Enumerable.Range(0, parts[0].Blocks.Length).Select(k => new LinearBlockFactors(
                cat(parts.Select(b => b.Blocks[k].Inputs).ToArray(), 0).MoveToOuterDisposeScope(),
                cat(parts.Select(b => b.Blocks[k].OutputGradients).ToArray(), 0).MoveToOuterDisposeScope())).ToArray();
            return (rewards.MoveToOuterDisposeScope(), blocks);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The subset's MAP weights θ* flattened in the blocks' order (float64).</summary>
    public static Tensor ParameterVector(RewardModel model, LaplaceSubset subset)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var parts = subset == LaplaceSubset.LastLayer
            ? [model.Head.weight!.flatten(), model.Head.bias!.flatten()]
            : LoraCapture.LayersOf(model).SelectMany(l => new[] { l.LoraA.flatten(), l.LoraB.flatten() }).ToArray();
        if (parts.Length == 0) throw new ArgumentException("The model has no LoRA adapters (apply LoraAdapters.Apply first, or use LaplaceSubset.LastLayer).", nameof(model));
        return cat(parts, 0).to_type(ScalarType.Float64).MoveToOuterDisposeScope();
    }

    private static (Tensor, LinearBlockFactors[]) LastLayer(RewardModel model, Tensor prompts, Tensor responses)
    {
        using var noGrad = no_grad();
        var features = model.Features(prompts, responses);
        var rewards = model.Head.forward(features).squeeze(-1);
        var b = features.shape[0];
        var inputs = cat([features.to_type(ScalarType.Float64), ones([b, 1], ScalarType.Float64, features.device)], 1).unsqueeze(1);
        return (rewards, [new LinearBlockFactors(inputs, ones([b, 1, 1], ScalarType.Float64, features.device))]);
    }

    private static (Tensor, LinearBlockFactors[]) Lora(RewardModel model, Tensor prompts, Tensor responses)
    {
        using var grad = enable_grad();
        var layers = LoraCapture.LayersOf(model);
        var adapters = layers.SelectMany(l => new[] { l.LoraA, l.LoraB }).ToArray();
        var required = adapters.Select(a => a.requires_grad).ToArray();
        // The outputs must be in the autograd graph even when the adapters are frozen.
        foreach (var a in adapters) a.requires_grad = true;
        try
        {
            using var capture = new LoraCapture(model);
            var rewards = model.forward(prompts, responses);
            var outputs = capture.Outputs.Select(o => o ?? throw new InvalidOperationException("A LoRA layer was not called in the forward pass.")).ToArray();
            var gradients = autograd.grad([rewards.sum()], outputs);
            var blocks = new List<LinearBlockFactors>();
            for (int i = 0; i < layers.Count; i++)
            {
                var layer = layers[i];
                var x = capture.Inputs[i]!.to_type(ScalarType.Float64);
                var g = gradients[i].to_type(ScalarType.Float64) * layer.Scaling;
                var a = layer.LoraA.detach().to_type(ScalarType.Float64);
                var bMatrix = layer.LoraB.detach().to_type(ScalarType.Float64);
                blocks.Add(new LinearBlockFactors(x, g.matmul(bMatrix)));
                blocks.Add(new LinearBlockFactors(nn.functional.linear(x, a), g));
            }
            return (rewards.detach(), blocks.ToArray());
        }
        finally
        {
            for (int i = 0; i < adapters.Length; i++) adapters[i].requires_grad = required[i];
        }
    }
}
