using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Engine.Models;

/// <summary>
/// Multi-head causal self-attention: softmax(q kᵀ/√d_head + causal mask) v per head, computed by
/// <c>scaled_dot_product_attention</c>, with one fused q/k/v projection and an output projection. With a
/// <see cref="KvCache"/> the new positions attend to every cached position plus the causal part of themselves.
/// </summary>
public sealed class CausalSelfAttention : Module
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (Lora.Apply).
    private Module<Tensor, Tensor> qkv;
    private Module<Tensor, Tensor> proj;
    private readonly int _heads;
    private readonly double _dropout;

    /// <summary>Creates the projections for width <paramref name="dModel"/> split over <paramref name="heads"/>.</summary>
    public CausalSelfAttention(int dModel, int heads, double dropout) : base(nameof(CausalSelfAttention))
    {
        qkv = Linear(dModel, 3 * dModel);
        proj = Linear(dModel, dModel);
        _heads = heads;
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>The output projection (its initialisation is scaled by depth).</summary>
    public Module<Tensor, Tensor> OutputProjection => proj;

    /// <summary>Attention output [B, T, D] for inputs <paramref name="x"/> [B, T, D]; appends to layer <paramref name="layer"/> of <paramref name="cache"/> when given.</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1], d = x.shape[2];
        var parts = qkv.forward(x).view(b, t, 3, _heads, d / _heads).permute(2, 0, 3, 1, 4); // [3, B, H, T, Dh]
        Tensor q = parts[0], k = parts[1], v = parts[2];
        int past = cache?.Length ?? 0;
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        double p = training ? _dropout : 0;
        Tensor y;
        if (past == 0)
            y = functional.scaled_dot_product_attention(q, k, v, p: p, is_casual: t > 1);
        else if (t == 1)
            y = functional.scaled_dot_product_attention(q, k, v, p: p);
        else
        {
            // New position i (absolute past + i) may see keys 0 ..= past + i.
            var keyPos = arange(past + t, device: x.device).unsqueeze(0);
            var queryPos = arange(past, past + t, device: x.device).unsqueeze(1);
            y = functional.scaled_dot_product_attention(q, k, v, attn_mask: keyPos <= queryPos, p: p);
        }
        return proj.forward(y.transpose(1, 2).reshape(b, t, d)).MoveToOuterDisposeScope();
    }
}
