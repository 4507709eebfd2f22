using AlignLab.Models;
using AlignLab.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.Families;

/// <summary>
/// The Llama family (<c>model_type</c> <c>llama</c>, <c>mistral</c>, <c>qwen2</c>, <c>qwen3</c>, <c>gemma</c>,
/// <c>gemma2</c>: TinyLlama, SmolLM, Llama-3, Mistral, Qwen2.5, Qwen3, Gemma, Gemma 2), mirroring transformers'
/// <c>modeling_llama</c> and the modular files that define the others as Llama with changes: pre-RMSNorm blocks,
/// rotary embeddings (<see cref="RopeParameters"/>), grouped-query attention (<c>num_key_value_heads</c>, an explicit
/// <c>head_dim</c>), a gated MLP down(act(gate(x)) ⊙ up(x)) (SwiGLU, or Gemma's GeGLU), and a head tied to the embedding
/// or not (<c>tie_word_embeddings</c>). Per family: q/k/v biases (Qwen2, or <c>attention_bias</c>); sliding windows
/// (Mistral on every layer, Qwen2/Qwen3 and Gemma2 per layer); Qwen3's RMSNorm over each query and key head before the
/// rotation (<c>q_norm</c>, <c>k_norm</c>); Gemma's (1 + w) RMSNorm and embeddings scaled by √hidden_size; Gemma2's
/// decoder layer (<see cref="Gemma2DecoderLayer"/>), attention scale query_pre_attn_scalar^−½ and soft caps on the
/// attention scores and the final logits. Fields are named like the checkpoint
/// (<c>model.layers.0.self_attn.q_proj.weight</c>, …), so LoRA targets take PEFT's names.
/// </summary>
public sealed class LlamaForCausalLm : CausalLm
{
    /// <summary>The model types this class implements.</summary>
    public static readonly IReadOnlyList<string> ModelTypes = ["llama", "mistral", "qwen2", "qwen3", "gemma", "gemma2"];

    private LlamaModel model;
    // Null when tied: logits then use the token embedding.
    private Module<Tensor, Tensor>? lm_head;

    /// <summary>Creates a freshly initialised model (N(0, 0.02) weights, from torch's global generator).</summary>
    public LlamaForCausalLm(TransformerConfig config) : base(nameof(LlamaForCausalLm), config)
    {
        if (!ModelTypes.Contains(config.ModelType))
            throw new ArgumentException($"LlamaForCausalLm needs model_type {string.Join(", ", ModelTypes)} (got {config.ModelType}).", nameof(config));
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
        var logits = lm_head is null ? functional.linear(hidden, model.TokenEmbedding) : lm_head.forward(hidden);
        if (ModelConfig.FinalSoftcap is not { } cap) return logits;
        // Gemma2: logits bounded to c·tanh(logits / c).
        using (logits) return (logits / cap).tanh() * cap;
    }

    /// <inheritdoc />
    public override string? StateNameOf(string key) => StateName(ModelConfig, key);

    /// <summary><see cref="StateNameOf"/> without a model: a tied head (<c>tie_word_embeddings</c>) has no <c>lm_head</c> of its own.</summary>
    internal static string? StateName(TransformerConfig config, string key) =>
        IsBuffer(key) || (config.TieWordEmbeddings && key == "lm_head.weight") ? null : key;

    /// <summary>Whether checkpoint tensor <paramref name="key"/> is a rotary buffer old checkpoints carry (not a weight).</summary>
    internal static bool IsBuffer(string key) => key.EndsWith("rotary_emb.inv_freq");
}

/// <summary>
/// The Llama body (<c>LlamaModel</c>, and Qwen3's, Gemma's and Gemma2's): embed_tokens (Gemma: scaled by √hidden_size in
/// the weights' dtype), decoder layers, final RMSNorm.
/// </summary>
public sealed class LlamaModel : Module, ITransformerBody
{
    private Embedding embed_tokens;
    private ModuleList<DecoderLayer> layers;
    private RmsNorm norm;
    private readonly RotaryEmbedding _rotary;
    private readonly double? _embeddingScale;

    /// <summary>Creates the body.</summary>
    public LlamaModel(TransformerConfig config) : base(nameof(LlamaModel))
    {
        embed_tokens = Embedding(config.VocabSize, config.HiddenSize);
        layers = new ModuleList<DecoderLayer>(Enumerable.Range(0, config.Layers)
            .Select(i => config.ModelType == "gemma2" ? new Gemma2DecoderLayer(config, i) : (DecoderLayer)new LlamaDecoderLayer(config, i)).ToArray());
        norm = DecoderLayer.Norm(config, config.HiddenSize);
        _rotary = new RotaryEmbedding(config.RotaryDim, config.Rotary);
        if (IsGemma(config)) _embeddingScale = Math.Sqrt(config.HiddenSize);
        RegisterComponents();
    }

    /// <summary>Whether <paramref name="config"/> is Gemma's (Gemma or Gemma2): (1 + w) norms, scaled embeddings.</summary>
    internal static bool IsGemma(TransformerConfig config) => config.ModelType is "gemma" or "gemma2";

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
        // The scale rounded to the weights' dtype first, as transformers' normaliser is (√3072 is 55.5 in bfloat16).
        if (_embeddingScale is { } scale) x = x * tensor(scale, ScalarType.Float32, x.device).to(x.dtype);
        for (int l = 0; l < layers.Count; l++) x = layers[l].forward(x, cache, l, keyMask, cos, sin, _rotary);
        cache?.Advance((int)t);
        return norm.forward(x).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A decoder layer of the Llama-shaped families: [B, T, D] → [B, T, D], attending through the shared KV cache. It holds
/// the parts every such layer has, named like the checkpoint (input_layernorm, self_attn, post_attention_layernorm,
/// mlp); a family's layer adds its own and wires them in <see cref="forward"/>.
/// </summary>
public abstract class DecoderLayer : Module
{
    // Not private: TorchSharp registers the fields it sees from the runtime type (the derived layer registers them).
    private protected RmsNorm input_layernorm;
    private protected LlamaAttention self_attn;
    private protected RmsNorm post_attention_layernorm;
    private protected LlamaMlp mlp;
    private readonly double _dropout;

    /// <summary>Creates layer <paramref name="layer"/>'s shared parts; the derived layer calls RegisterComponents.</summary>
    private protected DecoderLayer(string name, TransformerConfig config, int layer) : base(name)
    {
        input_layernorm = Norm(config, config.HiddenSize);
        self_attn = new LlamaAttention(config, layer);
        post_attention_layernorm = Norm(config, config.HiddenSize);
        mlp = new LlamaMlp(config);
        _dropout = config.Dropout;
    }

    /// <summary>The layer's output [B, T, D] for input <paramref name="x"/>, layer number <paramref name="layer"/> of the cache.</summary>
    public abstract Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary);

    /// <summary>Dropout on a residual branch (training mode only).</summary>
    private protected Tensor Dropout(Tensor x) => _dropout > 0 ? functional.dropout(x, _dropout, training) : x;

    /// <summary>The family's RMSNorm over <paramref name="size"/>: Gemma's (1 + w) form, or Llama's.</summary>
    internal static RmsNorm Norm(TransformerConfig config, int size) => new(size, config.NormEpsilon, unitOffset: LlamaModel.IsGemma(config));
}

/// <summary>A Llama decoder layer: x + Attn(input_layernorm(x)), then + MLP(post_attention_layernorm(·)).</summary>
public sealed class LlamaDecoderLayer : DecoderLayer
{
    /// <summary>Creates layer <paramref name="layer"/>.</summary>
    public LlamaDecoderLayer(TransformerConfig config, int layer) : base(nameof(LlamaDecoderLayer), config, layer)
    {
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        var h = x + Dropout(self_attn.forward(input_layernorm.forward(x), cache, layer, keyMask, cos, sin, rotary));
        return (h + Dropout(mlp.forward(post_attention_layernorm.forward(h)))).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Llama attention: q/k/v/o projections, rotary on q and k, grouped-query attention (<see cref="CausalAttention"/>)
/// within the layer's sliding window; Qwen3 normalises each query and key head first (<c>q_norm</c>, <c>k_norm</c>),
/// Gemma2 scales by query_pre_attn_scalar^−½ and caps the scores.
/// </summary>
public sealed class LlamaAttention : Module
{
    // Typed as Module<Tensor, Tensor> rather than Linear so LoRA can wrap them (LoraAdapters.Apply).
    private Module<Tensor, Tensor> q_proj;
    private Module<Tensor, Tensor> k_proj;
    private Module<Tensor, Tensor> v_proj;
    private Module<Tensor, Tensor> o_proj;
    // Qwen3 only (null otherwise, so not registered).
    private RmsNorm? q_norm;
    private RmsNorm? k_norm;
    private readonly int _heads, _kvHeads, _headDim;
    private readonly double _dropout;
    private readonly int? _slidingWindow;
    private readonly double? _scale, _softcap;

    /// <summary>
    /// Creates the projections of layer <paramref name="layer"/> (q/k/v biases when attention_bias or Qwen2; o_proj has
    /// one only for attention_bias of the other families).
    /// </summary>
    public LlamaAttention(TransformerConfig config, int layer) : base(nameof(LlamaAttention))
    {
        (_heads, _kvHeads, _headDim) = (config.Heads, config.KeyValueHeads, config.HeadDim);
        q_proj = Linear(config.HiddenSize, _heads * _headDim, hasBias: config.AttentionBias);
        k_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        v_proj = Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        o_proj = Linear(_heads * _headDim, config.HiddenSize, hasBias: config.AttentionBias && config.ModelType != "qwen2");
        if (config.ModelType == "qwen3")
        {
            q_norm = new RmsNorm(_headDim, config.NormEpsilon);
            k_norm = new RmsNorm(_headDim, config.NormEpsilon);
        }
        _dropout = config.Dropout;
        _slidingWindow = config.WindowOf(layer);
        _scale = config.QueryPreAttentionScalar is { } s ? 1 / Math.Sqrt(s) : null;
        _softcap = config.AttentionSoftcap;
        RegisterComponents();
    }

    /// <summary>Attention output [B, T, D].</summary>
    public Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0], t = x.shape[1];
        var q = q_proj.forward(x).view(b, t, _heads, _headDim);
        var k = k_proj.forward(x).view(b, t, _kvHeads, _headDim);
        if (q_norm is not null) (q, k) = (q_norm.forward(q), k_norm!.forward(k));
        q = rotary.Apply(q.transpose(1, 2), cos, sin);
        k = rotary.Apply(k.transpose(1, 2), cos, sin);
        var v = v_proj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        var y = CausalAttention.Attend(q, k, v, cache, layer, keyMask, training ? _dropout : 0, _slidingWindow, _scale, _softcap);
        return o_proj.forward(y.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
    }
}

/// <summary>The gated MLP: down_proj(act(gate_proj(x)) ⊙ up_proj(x)) (SwiGLU with silu, Gemma's GeGLU with gelu_pytorch_tanh).</summary>
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
