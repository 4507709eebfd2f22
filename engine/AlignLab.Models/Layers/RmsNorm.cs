using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Layers;

/// <summary>
/// Root-mean-square layer norm (Llama family): y = w ⊙ x / √(mean(x²) + ε), computed in float32 (float64 for float64
/// inputs) and cast back to the input's dtype before the scale, as the reference implementation does.
/// </summary>
public sealed class RmsNorm : Module<Tensor, Tensor>
{
    // Named like the checkpoint's "…norm.weight".
    private Parameter weight;
    private readonly double _epsilon;

    /// <summary>A norm over the last dimension of width <paramref name="size"/> (weight initialised to 1).</summary>
    public RmsNorm(int size, double epsilon) : base(nameof(RmsNorm))
    {
        weight = new Parameter(ones(size));
        _epsilon = epsilon;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Half precision is normalised in float32; float64 stays float64.
        var h = x.dtype == ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        h = h * rsqrt(h.pow(2).mean([-1], keepdim: true) + _epsilon);
        return (weight * h.to(x.dtype)).MoveToOuterDisposeScope();
    }
}
