using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Layers;

/// <summary>
/// Root-mean-square layer norm (Llama family): y = w ⊙ x / √(mean(x²) + ε), computed in float32 (float64 for float64
/// inputs) and cast back to the input's dtype before the scale, as the reference implementation does. Gemma's form
/// (<c>unitOffset</c>) stores the scale as w − 1: y = (1 + w) ⊙ x / √(mean(x²) + ε), scaled in float32 before the cast,
/// as GemmaRMSNorm does.
/// </summary>
public sealed class RmsNorm : Module<Tensor, Tensor>
{
    // Named like the checkpoint's "…norm.weight".
    private Parameter weight;
    private readonly double _epsilon;
    private readonly bool _unitOffset;

    /// <summary>
    /// A norm over the last dimension of width <paramref name="size"/>: weight initialised to 1, or to 0 with
    /// <paramref name="unitOffset"/> (Gemma's 1 + w), so a fresh norm scales by 1 either way.
    /// </summary>
    public RmsNorm(int size, double epsilon, bool unitOffset = false) : base(nameof(RmsNorm))
    {
        weight = new Parameter(unitOffset ? zeros(size) : ones(size));
        _epsilon = epsilon;
        _unitOffset = unitOffset;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Half precision is normalised in float32; float64 stays float64.
        var h = x.dtype == ScalarType.Float64 ? x : x.to(ScalarType.Float32);
        h = h * rsqrt(h.pow(2).mean([-1], keepdim: true) + _epsilon);
        var y = _unitOffset ? (h * (1 + weight.to(h.dtype))).to(x.dtype) : weight * h.to(x.dtype);
        return y.MoveToOuterDisposeScope();
    }
}
