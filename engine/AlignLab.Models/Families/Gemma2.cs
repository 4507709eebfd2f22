using AlignLab.Models.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Models.Families;

/// <summary>
/// A Gemma2 decoder layer, mirroring transformers' <c>Gemma2DecoderLayer</c>: each branch is normalised before and
/// after, h = x + post_attention_layernorm(Attn(input_layernorm(x))), then
/// h + post_feedforward_layernorm(MLP(pre_feedforward_layernorm(h))), with Gemma's (1 + w) RMSNorms. The attention is
/// <see cref="LlamaAttention"/> (query_pre_attn_scalar, soft-capped scores, this layer's sliding window) and the MLP
/// <see cref="LlamaMlp"/> (GeGLU); the rest of Gemma2 (scaled embeddings, final logit cap) is in
/// <see cref="LlamaModel"/> and <see cref="LlamaForCausalLm"/>.
/// </summary>
public sealed class Gemma2DecoderLayer : DecoderLayer
{
    private RmsNorm pre_feedforward_layernorm;
    private RmsNorm post_feedforward_layernorm;

    /// <summary>Creates layer <paramref name="layer"/> (even layers slide, unless the config's layer types say otherwise).</summary>
    public Gemma2DecoderLayer(TransformerConfig config, int layer) : base(nameof(Gemma2DecoderLayer), config, layer)
    {
        pre_feedforward_layernorm = Norm(config, config.HiddenSize);
        post_feedforward_layernorm = Norm(config, config.HiddenSize);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x, KvCache? cache, int layer, Tensor? keyMask, Tensor cos, Tensor sin, RotaryEmbedding rotary)
    {
        using var scope = NewDisposeScope();
        var attended = self_attn.forward(input_layernorm.forward(x), cache, layer, keyMask, cos, sin, rotary);
        var h = x + Dropout(post_attention_layernorm.forward(attended));
        var fed = mlp.forward(pre_feedforward_layernorm.forward(h));
        return (h + Dropout(post_feedforward_layernorm.forward(fed))).MoveToOuterDisposeScope();
    }
}
