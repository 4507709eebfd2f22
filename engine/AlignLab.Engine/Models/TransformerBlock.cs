using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

/// <summary>A pre-LayerNorm transformer block: x + Attn(LN(x)), then + MLP(LN(·)).</summary>
public sealed class TransformerBlock : Module
{
    private LayerNorm ln1;
    private CausalSelfAttention attn;
    private LayerNorm ln2;
    private Mlp mlp;
    private readonly double _dropout;

    /// <summary>Creates the block's layers for <paramref name="config"/>.</summary>
    public TransformerBlock(TinyGptConfig config) : base(nameof(TransformerBlock))
    {
        ln1 = LayerNorm(config.DModel);
        attn = new CausalSelfAttention(config.DModel, config.Heads, config.Dropout);
        ln2 = LayerNorm(config.DModel);
        mlp = new Mlp(config.DModel, config.MlpRatio);
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>The output projections of attention and MLP (the residual-stream writers).</summary>
    public IReadOnlyList<Module<Tensor, Tensor>> OutputProjections => [attn.OutputProjection, mlp.OutputProjection];

    /// <summary>The block's output [B, T, D]; appends to layer <paramref name="layer"/> of <paramref name="cache"/> when given.</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        var h = x + Dropout(attn.forward(ln1.forward(x), cache, layer));
        return (h + Dropout(mlp.forward(ln2.forward(h)))).MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _dropout > 0 ? functional.dropout(x, _dropout, training) : x;
}
