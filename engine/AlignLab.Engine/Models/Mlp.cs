using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

/// <summary>The position-wise feed-forward network of a transformer block: W₂ GELU(W₁ x), hidden width ratio·D.</summary>
public sealed class Mlp : Module<Tensor, Tensor>
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (Lora.Apply).
    private Module<Tensor, Tensor> fc;
    private Module<Tensor, Tensor> proj;

    /// <summary>Creates the two projections D → ratio·D → D.</summary>
    public Mlp(int dModel, int ratio) : base(nameof(Mlp))
    {
        fc = Linear(dModel, ratio * dModel);
        proj = Linear(ratio * dModel, dModel);
        RegisterComponents();
    }

    /// <summary>The output projection (its initialisation is scaled by depth).</summary>
    public Module<Tensor, Tensor> OutputProjection => proj;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var h = functional.gelu(fc.forward(x));
        return proj.forward(h);
    }
}
