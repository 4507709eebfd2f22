using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models.Lora;

/// <summary>
/// A linear layer with a LoRA adapter: y = W x + b + (α/r)·B(A x). A starts random (Kaiming-uniform, as in the paper's
/// code) and B at zero, so the wrapped layer computes exactly what the original did until B is trained.
/// </summary>
public sealed class LoraLinear : Module<Tensor, Tensor>
{
    private Linear @base;
    private Parameter lora_a;
    private Parameter lora_b;
    private readonly double _scaling;

    /// <summary>Wraps <paramref name="linear"/> with a rank-<see cref="LoraConfig.Rank"/> adapter.</summary>
    public LoraLinear(Linear linear, LoraConfig config) : base(nameof(LoraLinear))
    {
        config.Validate();
        var w = linear.weight!;
        @base = linear;
        lora_a = new Parameter(empty([config.Rank, w.shape[1]], w.dtype, w.device));
        lora_b = new Parameter(zeros([w.shape[0], config.Rank], w.dtype, w.device));
        using (no_grad()) init.kaiming_uniform_(lora_a, Math.Sqrt(5));
        _scaling = config.Scaling;
        RegisterComponents();
    }

    /// <summary>The wrapped (frozen) layer.</summary>
    public Linear Base => @base;

    /// <summary>The down-projection A [r, in].</summary>
    public Parameter LoraA => lora_a;

    /// <summary>The up-projection B [out, r].</summary>
    public Parameter LoraB => lora_b;

    /// <summary>The update's scale α/r.</summary>
    public double Scaling => _scaling;

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var update = functional.linear(functional.linear(x, lora_a), lora_b) * _scaling;
        return (@base.forward(x) + update).MoveToOuterDisposeScope();
    }
}
