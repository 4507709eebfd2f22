using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Layers;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes the <c>config.json</c> of the Llama family (<c>llama</c>, <c>mistral</c>, <c>qwen2</c>) as
/// transformers' LlamaConfig, MistralConfig and Qwen2Config do, defaults included (Mistral's sliding window is 4096
/// when the key is absent, none when it is null), and holds the reading every Llama-shaped family shares
/// (<see cref="ReadDecoder"/>: Qwen3, Gemma and Gemma2 add their own keys to it).
/// </summary>
public static class LlamaConfig
{
    /// <summary>The defaults of one family's configuration class, for the keys a config may leave out.</summary>
    /// <param name="MaxPositions">max_position_embeddings.</param>
    /// <param name="Activation">hidden_act.</param>
    /// <param name="Tied">tie_word_embeddings.</param>
    /// <param name="HeadDim">head_dim (null: hidden_size / num_attention_heads).</param>
    /// <param name="Theta">rope_theta.</param>
    public sealed record Defaults(int MaxPositions, string Activation, bool Tied, int? HeadDim = null, double Theta = 10000);

    /// <summary>Reads a llama, mistral or qwen2 config (see the type's summary); refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        var config = ReadDecoder(json, modelType, modelType switch
        {
            "llama" => new Defaults(2048, "silu", false),
            "mistral" => new Defaults(4096 * 32, "silu", false),
            _ => new Defaults(32768, "silu", false),
        });
        switch (modelType)
        {
            case "llama":
                config = config with { AttentionBias = json.Bool("attention_bias") ?? false, MlpBias = json.Bool("mlp_bias") ?? false };
                break;
            case "mistral":
                json.Expect("attention_bias", false, "Mistral's projections have no bias");
                // MistralConfig's window is 4096 when the key is absent; null means none.
                config = config with { SlidingWindow = Present(json, "sliding_window") ? json.Int("sliding_window") : 4096 };
                break;
            default:
                // Qwen2 always has q/k/v biases (transformers' Qwen2Attention ignores attention_bias).
                json.Take("attention_bias");
                config = ReadLayerWindows(json, config with { AttentionBias = true }, useSlidingWindowKey: true);
                json.Expect("use_mrope", false, "multimodal rotary sections are Qwen2-VL's");
                break;
        }
        if (modelType != "llama") json.Expect("mlp_bias", false, $"{modelType}'s MLP has no bias");
        json.Finish(modelType);
        return config;
    }

    private static bool Present(ConfigJson json, string key) => json.Keys.Contains(key);

    /// <summary>
    /// The keys every Llama-shaped family shares: sizes, heads (<c>num_key_value_heads</c>, <c>head_dim</c>),
    /// <c>rms_norm_eps</c>, <c>hidden_act</c>, <c>tie_word_embeddings</c>, the rotary fields
    /// (<see cref="RopeParameters.Read"/>; whole heads only), the token ids, and nanotron's <c>rope_interleaved</c>
    /// (false only: transformers ignores it and rotates halves). Dynamic NTK scaling extends the context: the model
    /// takes max_position_embeddings × factor positions.
    /// </summary>
    public static TransformerConfig ReadDecoder(ConfigJson json, string modelType, Defaults defaults)
    {
        int heads = json.RequiredInt("num_attention_heads"), hidden = json.RequiredInt("hidden_size");
        int maxPositions = json.Int("max_position_embeddings") ?? defaults.MaxPositions;
        int? headDim = json.Int("head_dim") ?? defaults.HeadDim;
        var rope = RopeParameters.Read(json, maxPositions, defaults.Theta);
        if (rope.PartialRotaryFactor != 1)
            throw json.Refused($"partial_rotary_factor {ConfigJson.Format(rope.PartialRotaryFactor)} is not supported for {modelType} (transformers rotates whole heads there).");
        json.Expect("rope_interleaved", false, "transformers rotates the two halves of each head, not interleaved pairs");
        return new TransformerConfig(modelType, json.RequiredInt("vocab_size"), hidden, json.RequiredInt("num_hidden_layers"), heads,
            json.RequiredInt("intermediate_size"), rope.IsDynamic ? (int)(maxPositions * rope.Factor) : maxPositions,
            NormEpsilon: json.Number("rms_norm_eps") ?? 1e-6,
            Activation: json.String("hidden_act") ?? defaults.Activation,
            KeyValueHeadCount: json.Int("num_key_value_heads"),
            HeadDimension: headDim,
            Rope: rope,
            TieWordEmbeddings: json.Bool("tie_word_embeddings") ?? defaults.Tied,
            BosTokenId: json.Id("bos_token_id"), EosTokenIds: json.Ids("eos_token_id"), PadTokenId: json.Id("pad_token_id"));
    }

    /// <summary>
    /// Qwen2/Qwen3's and Gemma2's per-layer windows: <c>layer_types</c> when given (each <c>full_attention</c> or
    /// <c>sliding_attention</c>), else Qwen's rule (layers from <c>max_window_layers</c> on slide when
    /// <c>use_sliding_window</c>) or Gemma2's (even layers slide); <c>sliding_window</c> is the window.
    /// </summary>
    public static TransformerConfig ReadLayerWindows(ConfigJson json, TransformerConfig config, bool useSlidingWindowKey)
    {
        int? window;
        bool[] sliding;
        var types = json.Strings("layer_types");
        if (useSlidingWindowKey)
        {
            bool use = json.Bool("use_sliding_window") ?? false;
            window = json.Int("sliding_window") ?? (Present(json, "sliding_window") ? null : 4096);
            int from = json.Int("max_window_layers") ?? 28;
            if (!use) window = null;
            sliding = [.. Enumerable.Range(0, config.Layers).Select(i => window is not null && i >= from)];
        }
        else
        {
            window = json.Int("sliding_window") ?? (Present(json, "sliding_window") ? null : 4096);
            sliding = [.. Enumerable.Range(0, config.Layers).Select(i => window is not null && i % 2 == 0)];
        }
        if (types is not null)
        {
            if (types.Count != config.Layers)
                throw json.Refused($"layer_types lists {types.Count} layers but num_hidden_layers is {config.Layers}.");
            if (types.FirstOrDefault(t => t is not ("full_attention" or "sliding_attention")) is { } other)
                throw json.Refused($"layer_types '{other}' is not supported (supported: full_attention, sliding_attention).");
            sliding = [.. types.Select(t => t == "sliding_attention")];
            if (sliding.Any(s => s) && window is null)
                throw json.Refused("layer_types has sliding_attention layers but no sliding_window.");
        }
        return config with { SlidingWindow = sliding.Any(s => s) ? window : null, SlidingLayers = sliding.Any(s => s) ? sliding : null };
    }

    /// <summary>Writes a llama, mistral or qwen2 config (both rope forms; Mistral's window even when null).</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        WriteDecoder(c, json);
        switch (c.ModelType)
        {
            case "llama":
                json["attention_bias"] = c.AttentionBias;
                json["mlp_bias"] = c.MlpBias;
                break;
            case "mistral":
                json["sliding_window"] = c.SlidingWindow; // null kept: MistralConfig would default it to 4096
                break;
            default:
                WriteLayerWindows(c, json);
                break;
        }
    }

    /// <summary>The keys <see cref="ReadDecoder"/> reads.</summary>
    public static void WriteDecoder(TransformerConfig c, JsonObject json)
    {
        c.WriteShape(json);
        json["num_key_value_heads"] = c.KeyValueHeads;
        json["head_dim"] = c.HeadDim;
        json["rms_norm_eps"] = c.NormEpsilon;
        c.Rotary.Write(json);
    }

    /// <summary>Qwen's per-layer windows as Qwen2Config/Qwen3Config read them (plus transformers 5's layer_types).</summary>
    public static void WriteLayerWindows(TransformerConfig c, JsonObject json)
    {
        json["use_sliding_window"] = c.SlidingWindow is not null;
        json["sliding_window"] = c.SlidingWindow;
        int first = c.SlidingLayers is { } s ? Array.IndexOf([.. s], true) : c.Layers;
        json["max_window_layers"] = first;
        json["layer_types"] = LayerTypes(c);
    }

    /// <summary>transformers 5's layer_types of <paramref name="c"/>.</summary>
    public static JsonArray LayerTypes(TransformerConfig c) =>
        new([.. Enumerable.Range(0, c.Layers).Select(i => (JsonNode)(c.WindowOf(i) is null ? "full_attention" : "sliding_attention"))]);
}
