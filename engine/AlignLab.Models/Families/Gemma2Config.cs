using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes Gemma2's <c>config.json</c> as transformers' Gemma2Config: Gemma's keys (<see cref="GemmaConfig"/>)
/// plus <c>query_pre_attn_scalar</c> (attention scale s^−½, default 256), <c>attn_logit_softcapping</c> (50) and
/// <c>final_logit_softcapping</c> (30), c·tanh(x/c), null for none, and <c>sliding_window</c> (4096) on the even layers
/// (or as transformers 5's <c>layer_types</c> says).
/// </summary>
public static class Gemma2Config
{
    /// <summary>Reads a gemma2 config; refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        var config = GemmaConfig.ReadGemma(json, modelType);
        config = LlamaConfig.ReadLayerWindows(json, config, useSlidingWindowKey: false) with
        {
            QueryPreAttentionScalar = json.Number("query_pre_attn_scalar") ?? 256,
            AttentionSoftcap = Softcap(json, "attn_logit_softcapping", 50),
            FinalSoftcap = Softcap(json, "final_logit_softcapping", 30),
        };
        json.Finish(modelType);
        return config;
    }

    // Gemma2Config's default when the key is absent; null in the file turns the cap off.
    private static double? Softcap(ConfigJson json, string key, double absent) =>
        json.Keys.Contains(key) ? json.Number(key) : absent;

    /// <summary>Writes the keys <see cref="Read"/> reads (null caps and window kept).</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        GemmaConfig.Write(c, json);
        json["query_pre_attn_scalar"] = c.QueryPreAttentionScalar;
        json["attn_logit_softcapping"] = c.AttentionSoftcap;
        json["final_logit_softcapping"] = c.FinalSoftcap;
        json["sliding_window"] = c.SlidingWindow;
        json["layer_types"] = LlamaConfig.LayerTypes(c);
    }
}
