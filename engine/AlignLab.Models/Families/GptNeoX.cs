using AlignLab.Models;
using AlignLab.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Families;

/// <summary>
/// GPT-NeoX (<c>model_type: gpt_neox</c>; the Pythia suite), mirroring transformers' <c>modeling_gpt_neox</c>: LayerNorm
/// blocks with a fused per-head <c>query_key_value</c> projection, partial rotary embeddings (<c>rotary_pct</c> of
/// each head), parallel residual x + Attn(LN₁(x)) + MLP(LN₂(x)) or sequential (<c>use_parallel_residual</c>), and an
/// untied <c>embed_out</c> head. Fields are named like the checkpoint (<c>gpt_neox.layers.0.attention.dense.weight</c>, …).
/// </summary>
public sealed class GptNeoXForCausalLm : CausalLm
{
    private GptNeoXModel gpt_neox;
    // Null when tied (rare for NeoX): logits then use embed_in.
    private Module<Tensor, Tensor>? embed_out;

    /// <summary>Creates a freshly initialised model (N(0, 0.02) weights, from torch's global generator).</summary>
    public GptNeoXForCausalLm(TransformerConfig config) : base(nameof(GptNeoXForCausalLm), config)
    {
        if (config.ModelType != "gpt_neox") throw new ArgumentException($"GptNeoXForCausalLm needs model_type gpt_neox (got {config.ModelType}).", nameof(config));
        gpt_neox = new GptNeoXModel(config);
        if (!config.TieWordEmbeddings) embed_out = Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        InitialiseNormal(this, 0.02);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, KvCache? cache = null, Tensor? keyMask = null, Tensor? positionIds = null)
    {
        CheckLength((cache?.Length ?? 0) + tokens.shape[1]);
        using var hidden = gpt_neox.forward(tokens, cache, keyMask, positionIds);
        return embed_out is null ? functional.linear(hidden, gpt_neox.TokenEmbedding) : embed_out.forward(hidden);
    }

    /// <inheritdoc />
    public override string? StateNameOf(string key) => StateName(ModelConfig, key);

    /// <summary><see cref="StateNameOf"/> without a model: a tied head (<c>tie_word_embeddings</c>) has no <c>embed_out</c> of its own.</summary>
    internal static string? StateName(TransformerConfig config, string key) =>
        IsBuffer(key) || (config.TieWordEmbeddings && key == "embed_out.weight") ? null : key;

    /// <summary>Whether checkpoint tensor <paramref name="key"/> is a mask or rotary buffer old checkpoints carry (not a weight).</summary>
    internal static bool IsBuffer(string key) =>
        key.EndsWith(".attention.bias") || key.EndsWith(".attention.masked_bias") || key.EndsWith("rotary_emb.inv_freq");
}

/// <summary>The GPT-NeoX body (<c>GPTNeoXModel</c>): embed_in, layers, final_layer_norm.</summary>
public sealed class GptNeoXModel : Module, ITransformerBody
{
    private Embedding embed_in;
    private ModuleList<GptNeoXLayer> layers;
    private LayerNorm final_layer_norm;
    private readonly RotaryEmbedding _rotary;

    /// <summary>Creates the body.</summary>
    public GptNeoXModel(TransformerConfig config) : base(nameof(GptNeoXModel))
    {
        embed_in = Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<GptNeoXLayer>(Enumerable.Range(0, config.Layers).Select(_ => new GptNeoXLayer(config)).ToArray());
        final_layer_norm = LayerNorm(config.HiddenSize, config.NormEpsilon);
        _rotary = new RotaryEmbedding(config.RotaryDim, config.Rotary);
        RegisterComponents();
    }

    /// <summary>The token embedding [V, D].</summary>
    public Tensor TokenEmbedding => embed_in.weight!;

    /// <summary>Final hidden states [B, T, D]; see <see cref="CausalLm.forward"/>.</summary>
    public Tensor forward(Tensor tokens, KvCache? cache, Tensor? keyMask, Tensor? positionIds)
    {
        using var scope = NewDisposeScope();
        long t = tokens.shape[1];
        int past = cache?.Length ?? 0;
        var (cos, sin) = _rotary.Angles(CausalLm.PositionIds(keyMask, positionIds, past, t, tokens.device));
        var x = embed_in.forward(tokens);
        for (int l = 0; l < layers.Count; l++) x = layers[l].forward(x, cache, l, keyMask, cos, sin, _rotary);
        cache?.Advance((int)t);
        return final_layer_norm.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>A GPT-NeoX layer: parallel x + Attn(LN₁(x)) + MLP(LN₂(x)) or sequential a = x + Attn(LN₁(x)), a + MLP(LN₂(a)).</summary>
public sealed class GptNeoXLayer : Module
{
    private LayerNorm input_layernorm;
    private LayerNorm post_attention_layernorm;
    private GptNeoXAttention attention;
    private GptNeoXMlp mlp;
    private readonly bool _parallel;
    private readonly double _dropout;

    /// <summary>Creates the layer.</summary>
    public GptNeoXLayer(TransformerConfig config) : base(nameof(GptNeoXLayer))
    {
        input_layernorm = LayerNorm(config.HiddenSize, config.NormEpsilon);
        post_attention_layernorm = LayerNorm(config.HiddenSize, config.NormEpsilon);
        attention = new GptNeoXAttention(config);
        mlp = new GptNeoXMlp(config);
        _parallel = config.ParallelResidual;
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>The layer's output [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        var a = Dropout(attention.forward(input_layernorm.forward(x), cache, layer, keyMask, cos, sin, rotary));
        Tensor y;
        if (_parallel) y = x + a + Dropout(mlp.forward(post_attention_layernorm.forward(x)));
        else
        {
            var h = a + x;
            y = Dropout(mlp.forward(post_attention_layernorm.forward(h))) + h;
        }
        return y.MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _dropout > 0 ? functional.dropout(x, _dropout, training) : x;
}

/// <summary>GPT-NeoX attention: fused <c>query_key_value</c> laid out per head as [q | k | v], partial rotary, <c>dense</c> output.</summary>
public sealed class GptNeoXAttention : Module
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> query_key_value;
    private Module<Tensor, Tensor> dense;
    private readonly int _heads, _headDim;
    private readonly double _dropout;

    /// <summary>Creates the projections.</summary>
    public GptNeoXAttention(TransformerConfig config) : base(nameof(GptNeoXAttention))
    {
        (_heads, _headDim) = (config.Heads, config.HeadDim);
        query_key_value = Linear(config.HiddenSize, 3 * config.HiddenSize, hasBias: config.AttentionBias);
        dense = Linear(config.HiddenSize, config.HiddenSize, hasBias: config.AttentionBias);
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>Attention output [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        // Unlike GPT-2, the fused output is grouped by head: [B, T, H, 3·d] with each head's q, k, v side by side.
        var qkv = query_key_value.forward(x).view(b, t, _heads, 3 * _headDim).transpose(1, 2); // [B, H, T, 3d]
        var q = rotary.Apply(qkv.narrow(-1, 0, _headDim), cos, sin);
        var k = rotary.Apply(qkv.narrow(-1, _headDim, _headDim), cos, sin);
        var v = qkv.narrow(-1, 2 * _headDim, _headDim);
        var y = CausalAttention.Attend(q, k, v, cache, layer, keyMask, training ? _dropout : 0);
        return dense.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}

/// <summary>GPT-NeoX's MLP: dense_4h_to_h(act(dense_h_to_4h(x))).</summary>
public sealed class GptNeoXMlp : Module<Tensor, Tensor>
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> dense_h_to_4h;
    private Module<Tensor, Tensor> dense_4h_to_h;
    private readonly string _activation;

    /// <summary>Creates the two projections.</summary>
    public GptNeoXMlp(TransformerConfig config) : base(nameof(GptNeoXMlp))
    {
        dense_h_to_4h = Linear(config.HiddenSize, config.IntermediateSize);
        dense_4h_to_h = Linear(config.IntermediateSize, config.HiddenSize);
        _activation = config.Activation;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return dense_4h_to_h.forward(ActivationFunctions.Apply(_activation, dense_h_to_4h.forward(x))).MoveToOuterDisposeScope();
    }
}
