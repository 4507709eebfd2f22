using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Layers;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes GPT-NeoX's <c>config.json</c> as transformers' GPTNeoXConfig: sizes, <c>layer_norm_eps</c>,
/// <c>hidden_act</c>, <c>use_parallel_residual</c>, <c>attention_bias</c>, <c>tie_word_embeddings</c>, and the rotary
/// fields in either form: transformers 4's <c>rotary_pct</c> / <c>rotary_emb_base</c> or transformers 5's
/// <c>partial_rotary_factor</c> / <c>rope_theta</c> (top level or inside <c>rope_parameters</c>); two forms that
/// disagree are refused.
/// </summary>
public static class GptNeoXConfig
{
    /// <summary>Reads a gpt_neox config; refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        int maxPositions = json.Int("max_position_embeddings") ?? 2048;
        double? legacyPct = json.Number("rotary_pct"), legacyBase = json.Number("rotary_emb_base");
        var rope = RopeParameters.Read(json, maxPositions, legacyBase ?? 10000);
        bool partialGiven = json.Has("partial_rotary_factor") || (json.Child("rope_parameters")?.Has("partial_rotary_factor") ?? false)
                            || (json.Child("rope_scaling")?.Has("partial_rotary_factor") ?? false);
        if (legacyBase is { } b && b != rope.Theta)
            throw json.Refused($"rotary_emb_base {ConfigJson.Format(b)} and rope_theta {ConfigJson.Format(rope.Theta)} differ.");
        if (legacyPct is { } p && partialGiven && p != rope.PartialRotaryFactor)
            throw json.Refused($"rotary_pct {ConfigJson.Format(p)} and partial_rotary_factor {ConfigJson.Format(rope.PartialRotaryFactor)} differ.");
        if (!partialGiven) rope = rope with { PartialRotaryFactor = legacyPct ?? 0.25 };
        var config = new TransformerConfig("gpt_neox", json.RequiredInt("vocab_size"), json.RequiredInt("hidden_size"),
            json.RequiredInt("num_hidden_layers"), json.RequiredInt("num_attention_heads"), json.RequiredInt("intermediate_size"),
            rope.IsDynamic ? (int)(maxPositions * rope.Factor) : maxPositions,
            NormEpsilon: json.Number("layer_norm_eps") ?? 1e-5,
            Activation: json.String("hidden_act") ?? "gelu",
            Rope: rope,
            TieWordEmbeddings: json.Bool("tie_word_embeddings") ?? false,
            AttentionBias: json.Bool("attention_bias") ?? true,
            ParallelResidual: json.Bool("use_parallel_residual") ?? true,
            BosTokenId: json.Id("bos_token_id"), EosTokenIds: json.Ids("eos_token_id"), PadTokenId: json.Id("pad_token_id"));
        json.Finish(modelType);
        return config;
    }

    /// <summary>Writes the keys <see cref="Read"/> reads, the rotary fields in both forms.</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        c.WriteShape(json);
        json["layer_norm_eps"] = c.NormEpsilon;
        json["rotary_pct"] = c.Rotary.PartialRotaryFactor;
        json["rotary_emb_base"] = c.Rotary.Theta;
        json["attention_bias"] = c.AttentionBias;
        json["use_parallel_residual"] = c.ParallelResidual;
        c.Rotary.Write(json, "partial_rotary_factor");
    }
}
