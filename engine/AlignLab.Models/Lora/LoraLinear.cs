using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Lora;

/// <summary>
/// A linear layer with a LoRA adapter: y = W x + b + s·B A dropout(x) (s = <see cref="Scaling"/>). A starts random
/// (Kaiming-uniform, as in the paper's code) and B at zero, so the wrapped layer computes exactly what the original did
/// until B is trained. With <see cref="Enabled"/> false it computes W x + b alone: the base model, from the same weights.
/// </summary>
public sealed class LoraLinear : Module<Tensor, Tensor>
{
    private Linear @base;
    private Parameter lora_a;
    private Parameter lora_b;
    private readonly double _scaling;
    private readonly double _dropout;

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
        _dropout = config.Dropout;
        Config = config;
        RegisterComponents();
    }

    /// <summary>The configuration the adapter was built with (rank, α, dropout, targets).</summary>
    public LoraConfig Config { get; }

    /// <summary>The wrapped (frozen) layer.</summary>
    public Linear Base => @base;

    /// <summary>The down-projection A [r, in].</summary>
    public Parameter LoraA => lora_a;

    /// <summary>The up-projection B [out, r].</summary>
    public Parameter LoraB => lora_b;

    /// <summary>The update's scale s (α/r, or α/√r for rsLoRA).</summary>
    public double Scaling => _scaling;

    /// <summary>Whether the adapter is applied (true by default); false gives the base layer's output.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The merged weight W + s·B A [out, in] (a new tensor, no gradient).</summary>
    public Tensor MergedWeight()
    {
        using var noGrad = no_grad();
        return @base.weight!.addmm(lora_b, lora_a, beta: 1, alpha: (float)_scaling);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        if (!Enabled) return @base.forward(x);
        using var scope = NewDisposeScope();
        var input = _dropout > 0 ? functional.dropout(x, _dropout, training) : x;
        var update = functional.linear(functional.linear(input, lora_a), lora_b) * _scaling;
        return (@base.forward(x) + update).MoveToOuterDisposeScope();
    }
}
