using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes Qwen3's <c>config.json</c> as transformers' Qwen3Config: the Llama-shaped keys with Qwen3's
/// defaults (head_dim 128, max_position_embeddings 32768), <c>attention_bias</c> on all four projections, and the
/// per-layer sliding windows of <c>use_sliding_window</c> / <c>sliding_window</c> / <c>max_window_layers</c> (or
/// transformers 5's <c>layer_types</c>). The model is <see cref="LlamaForCausalLm"/> with q_norm/k_norm over each head.
/// </summary>
public static class Qwen3Config
{
    /// <summary>Reads a qwen3 config; refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        var config = LlamaConfig.ReadDecoder(json, modelType, new LlamaConfig.Defaults(32768, "silu", false, HeadDim: 128));
        config = LlamaConfig.ReadLayerWindows(json, config with { AttentionBias = json.Bool("attention_bias") ?? false }, useSlidingWindowKey: true);
        json.Finish(modelType);
        return config;
    }

    /// <summary>Writes the keys <see cref="Read"/> reads.</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        LlamaConfig.WriteDecoder(c, json);
        json["attention_bias"] = c.AttentionBias;
        LlamaConfig.WriteLayerWindows(c, json);
    }
}
