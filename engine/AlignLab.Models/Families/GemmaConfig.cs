using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Families;

/// <summary>
/// Reads and writes Gemma's <c>config.json</c> as transformers' GemmaConfig (head_dim 256, tied head, theta 10000 by
/// default). The MLP's activation is <c>hidden_activation</c>, else the tanh-approximated GELU Gemma was trained with
/// (<c>gelu_pytorch_tanh</c>), as transformers 4.38–4.57 read it; <c>hidden_act</c> is accepted only as <c>gelu</c> or
/// <c>gelu_pytorch_tanh</c>, the values Gemma checkpoints carry and those versions ignore (transformers 5 dropped
/// <c>hidden_activation</c> and computes <c>hidden_act</c>: for google/gemma-2b's <c>"gelu"</c> that is the exact GELU,
/// a difference docs/engine.md records). The model is <see cref="LlamaForCausalLm"/> with Gemma's (1 + w) RMSNorm and
/// embeddings scaled by √hidden_size.
/// </summary>
public static class GemmaConfig
{
    /// <summary>Reads a gemma config; refuses every key it does not use.</summary>
    public static TransformerConfig Read(ConfigJson json, string modelType)
    {
        var config = ReadGemma(json, modelType);
        json.Finish(modelType);
        return config;
    }

    /// <summary>The keys Gemma and Gemma2 share (<see cref="Gemma2Config"/> adds its own).</summary>
    public static TransformerConfig ReadGemma(ConfigJson json, string modelType)
    {
        var config = LlamaConfig.ReadDecoder(json, modelType, new LlamaConfig.Defaults(8192, "gelu_pytorch_tanh", true, HeadDim: 256));
        string activation = json.String("hidden_activation") ?? "gelu_pytorch_tanh";
        if (config.Activation is not ("gelu" or "gelu_pytorch_tanh"))
            throw json.Refused($"hidden_act '{config.Activation}' is not a Gemma activation (hidden_activation decides it; hidden_act may be gelu or gelu_pytorch_tanh).");
        json.Expect("use_bidirectional_attention", false, "AlignLab's Gemma is a causal language model");
        return config with { Activation = activation, AttentionBias = json.Bool("attention_bias") ?? false };
    }

    /// <summary>Writes the keys <see cref="Read"/> reads (the activation as both hidden_act and hidden_activation).</summary>
    public static void Write(TransformerConfig c, JsonObject json)
    {
        LlamaConfig.WriteDecoder(c, json);
        json["hidden_activation"] = c.Activation;
        json["attention_bias"] = c.AttentionBias;
    }
}
