using AlignLab.Models;
using AlignLab.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Families;

/// <summary>
/// The Llama family (<c>model_type</c> <c>llama</c>, <c>mistral</c>, <c>qwen2</c>: TinyLlama, SmolLM, Qwen2.5,
/// Mistral), mirroring transformers' <c>modeling_llama</c>: pre-RMSNorm blocks, rotary embeddings (half-split,
/// <c>rope_theta</c>), grouped-query attention (<c>num_key_value_heads</c>), a SwiGLU MLP
/// down(act(gate(x)) ⊙ up(x)), optional q/k/v biases (Qwen2), Mistral's sliding window, and a head tied to the
/// embedding or not (<c>tie_word_embeddings</c>). Fields are named like the checkpoint (<c>model.layers.0.self_attn.q_proj.weight</c>, …).
/// </summary>
public sealed class LlamaForCausalLm : CausalLm
{
    private LlamaModel model;
    // Null when tied: logits then use the token embedding.
    private Module<Tensor, Tensor>? lm_head;

    /// <summary>Creates a freshly initialised model (N(0, 0.02) weights, from torch's global generator).</summary>
    public LlamaForCausalLm(TransformerConfig config) : base(nameof(LlamaForCausalLm), config)
    {
        if (config.ModelType is not ("llama" or "mistral" or "qwen2"))
            throw new ArgumentException($"LlamaForCausalLm needs model_type llama, mistral or qwen2 (got {config.ModelType}).", nameof(config));
        model = new LlamaModel(config);
        if (!config.TieWordEmbeddings) lm_head = Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        InitialiseNormal(this, 0.02);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor tokens, KvCache? cache = null, Tensor? keyMask = null, Tensor? positionIds = null)
    {
        CheckLength((cache?.Length ?? 0) + tokens.shape[1]);
        using var hidden = model.forward(tokens, cache, keyMask, positionIds);
        return lm_head is null ? functional.linear(hidden, model.TokenEmbedding) : lm_head.forward(hidden);
    }

    /// <inheritdoc />
    public override string? StateNameOf(string key) => StateName(ModelConfig, key);

    /// <summary><see cref="StateNameOf"/> without a model: a tied head (<c>tie_word_embeddings</c>) has no <c>lm_head</c> of its own.</summary>
    internal static string? StateName(TransformerConfig config, string key) =>
        IsBuffer(key) || (config.TieWordEmbeddings && key == "lm_head.weight") ? null : key;

    /// <summary>Whether checkpoint tensor <paramref name="key"/> is a rotary buffer old checkpoints carry (not a weight).</summary>
    internal static bool IsBuffer(string key) => key.EndsWith("rotary_emb.inv_freq");
}

/// <summary>The Llama body (<c>LlamaModel</c>): embed_tokens, decoder layers, final RMSNorm.</summary>
public sealed class LlamaModel : Module, ITransformerBody
{
    private Embedding embed_tokens;
    private ModuleList<LlamaDecoderLayer> layers;
    private RmsNorm norm;
    private readonly RotaryEmbedding _rotary;

    /// <summary>Creates the body.</summary>
    public LlamaModel(TransformerConfig config) : base(nameof(LlamaModel))
    {
        embed_tokens = Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<LlamaDecoderLayer>(Enumerable.Range(0, config.Layers).Select(_ => new LlamaDecoderLayer(config)).ToArray());
        norm = new RmsNorm(config.HiddenSize, config.NormEpsilon);
        _rotary = new RotaryEmbedding(config.HeadDim, config.RopeTheta);
        RegisterComponents();
    }

    /// <summary>The token embedding [V, D].</summary>
    public Tensor TokenEmbedding => embed_tokens.weight!;

    /// <summary>Final hidden states [B, T, D]; see <see cref="CausalLm.forward"/>.</summary>
    public Tensor forward(Tensor tokens, KvCache? cache, Tensor? keyMask, Tensor? positionIds)
    {
        using var scope = NewDisposeScope();
        long t = tokens.shape[1];
        int past = cache?.Length ?? 0;
        var (cos, sin) = _rotary.Angles(CausalLm.PositionIds(keyMask, positionIds, past, t, tokens.device));
        var x = embed_tokens.forward(tokens);
        for (int l = 0; l < layers.Count; l++) x = layers[l].forward(x, cache, l, keyMask, cos, sin, _rotary);
        cache?.Advance((int)t);
        return norm.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>A Llama decoder layer: x + Attn(input_layernorm(x)), then + MLP(post_attention_layernorm(·)).</summary>
public sealed class LlamaDecoderLayer : Module
{
    private RmsNorm input_layernorm;
    private LlamaAttention self_attn;
    private RmsNorm post_attention_layernorm;
    private LlamaMlp mlp;
    private readonly double _dropout;

    /// <summary>Creates the layer.</summary>
    public LlamaDecoderLayer(TransformerConfig config) : base(nameof(LlamaDecoderLayer))
    {
        input_layernorm = new RmsNorm(config.HiddenSize, config.NormEpsilon);
        self_attn = new LlamaAttention(config);
        post_attention_layernorm = new RmsNorm(config.HiddenSize, config.NormEpsilon);
        mlp = new LlamaMlp(config);
        _dropout = config.Dropout;
        RegisterComponents();
    }

    /// <summary>The layer's output [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        var h = x + Dropout(self_attn.forward(input_layernorm.forward(x), cache, layer, keyMask, cos, sin, rotary));
        return (h + Dropout(mlp.forward(post_attention_layernorm.forward(h)))).MoveToOuterDisposeScope();
    }

    private Tensor Dropout(Tensor x) => _dropout > 0 ? functional.dropout(x, _dropout, training) : x;
}

/// <summary>Llama attention: q/k/v/o projections, rotary on q and k, grouped-query attention (<see cref="CausalAttention"/>).</summary>
public sealed class LlamaAttention : Module
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> q_proj;
    private Module<Tensor, Tensor> k_proj;
    private Module<Tensor, Tensor> v_proj;
    private Module<Tensor, Tensor> o_proj;
    private readonly int _heads, _kvHeads, _headDim;
    private readonly double _dropout;
    private readonly int? _slidingWindow;

    /// <summary>Creates the projections (q/k/v biases when attention_bias or Qwen2; o_proj has one only for Llama's attention_bias).</summary>
    public LlamaAttention(TransformerConfig config) : base(nameof(LlamaAttention))
    {
        (_heads, _kvHeads, _headDim) = (config.Heads, config.KeyValueHeads, config.HeadDim);
        q_proj = Linear(config.HiddenSize, _heads * _headDim, hasBias: config.AttentionBias);
        k_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        v_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        o_proj = Linear(_heads * _headDim, config.HiddenSize, hasBias: config.AttentionBias && config.ModelType != "qwen2");
        _dropout = config.Dropout;
        _slidingWindow = config.SlidingWindow;
        RegisterComponents();
    }

    /// <summary>Attention output [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = rotary.Apply(q_proj.forward(x).view(b, t, _heads, _headDim).transpose(1, 2), cos, sin);
        var k = rotary.Apply(k_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2), cos, sin);
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var y = CausalAttention.Attend(q, k, v, cache, layer, keyMask, training ? _dropout : 0, _slidingWindow);
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}

/// <summary>The SwiGLU MLP: down_proj(act(gate_proj(x)) ⊙ up_proj(x)).</summary>
public sealed class LlamaMlp : Module<Tensor, Tensor>
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> gate_proj;
    private Module<Tensor, Tensor> up_proj;
    private Module<Tensor, Tensor> down_proj;
    private readonly string _activation;

    /// <summary>Creates the three projections.</summary>
    public LlamaMlp(TransformerConfig config) : base(nameof(LlamaMlp))
    {
        gate_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        up_proj = Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        down_proj = Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias);
        _activation = config.Activation;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return down_proj.forward(ActivationFunctions.Apply(_activation, gate_proj.forward(x)) * up_proj.forward(x)).MoveToOuterDisposeScope();
    }
}
