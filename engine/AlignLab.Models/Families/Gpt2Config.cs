using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes GPT-2's <c>config.json</c> as transformers' GPT2Config: <c>n_embd</c>, <c>n_layer</c>,
/// <c>n_head</c>, <c>n_inner</c> (4·n_embd when null), <c>n_positions</c> (and the legacy <c>n_ctx</c>, which must equal
/// it), <c>layer_norm_epsilon</c>, <c>activation_function</c>; the attention options AlignLab does not implement
/// (<c>scale_attn_by_inverse_layer_idx</c>, <c>reorder_and_upcast_attn</c>, unscaled attention, cross-attention, an
/// untied head) are refused when set.
/// </summary>
public static class Gpt2Config
{
    /// <summary>Reads a gpt2 config; refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        json.Expect("scale_attn_by_inverse_layer_idx", false, "attention scaled by 1/(layer + 1) is not implemented");
        json.Expect("reorder_and_upcast_attn", false, "the reordered, upcast attention is not implemented");
        json.Expect("scale_attn_weights", true, "attention without the 1/√d scale is not implemented");
        json.Expect("add_cross_attention", false, "GPT-2 is read as a decoder without cross-attention");
        json.Expect("tie_word_embeddings", true, "GPT-2's head is its token embedding");
        int d = json.RequiredInt("n_embd"), positions = json.RequiredInt("n_positions");
        if (json.Int("n_ctx") is { } context && context != positions)
            throw json.Refused($"n_ctx {context} differs from n_positions {positions}.");
        var config = new TransformerConfig("gpt2", json.RequiredInt("vocab_size"), d, json.RequiredInt("n_layer"), json.RequiredInt("n_head"),
            json.Int("n_inner") ?? 4 * d, positions,
            NormEpsilon: json.Number("layer_norm_epsilon") ?? 1e-5,
            Activation: json.String("activation_function") ?? "gelu_new",
            BosTokenId: json.Id("bos_token_id"), EosTokenIds: json.Ids("eos_token_id"), PadTokenId: json.Id("pad_token_id"));
        json.Finish(modelType);
        return config;
    }

    /// <summary>Writes the keys <see cref="Read"/> reads.</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        foreach (var (key, value) in new (string, JsonNode)[]
                 {
                     ("n_embd", c.HiddenSize), ("n_layer", c.Layers), ("n_head", c.Heads), ("n_inner", c.IntermediateSize),
                     ("n_positions", c.MaxPositions), ("layer_norm_epsilon", c.NormEpsilon), ("activation_function", c.Activation),
                     ("tie_word_embeddings", true),
                 })
            json[key] = value;
    }
}
