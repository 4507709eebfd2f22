using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;

namespace AlignLab.Dsl;

/// <summary>
/// What a model folder holds, as <c>alignlab model info</c> prints it: read from config.json, the tokenizer files and the
/// safetensors headers, never the weights (<see cref="Models.Info"/>).
/// </summary>
/// <param name="Folder">The folder (absolute).</param>
/// <param name="Architecture">The config's <c>model_type</c> (gpt2, llama, mistral, qwen2, qwen3, gemma, gemma2, gpt_neox, or one AlignLab does not support).</param>
/// <param name="Parameters">Number of parameters of the loaded model (a tied embedding counted once).</param>
/// <param name="DtypesOnDisk">The safetensors dtypes of the stored weights (F32, F16, BF16).</param>
/// <param name="VocabSize">The model's vocabulary: rows of its embedding (<c>vocab_size</c>).</param>
/// <param name="ContextLength">The most positions it takes (<c>n_positions</c> / <c>max_position_embeddings</c>).</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="HiddenSize">Width of the residual stream.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="KeyValueHeads">Key/value heads (fewer than <paramref name="Heads"/>: grouped-query attention).</param>
/// <param name="Tokenizer">The tokenizer, or null when the folder has none.</param>
/// <param name="ModelClass">The transformers class config.json's <c>architectures</c> names (GPT2LMHeadModel, LlamaForSequenceClassification), or null.</param>
/// <param name="Labels">Number of labels of a <c>*ForSequenceClassification</c> folder (a reward model has 1); null for a language model.</param>
/// <param name="IntermediateSize">Width of the MLP's hidden layer.</param>
/// <param name="WeightFiles">The safetensors files (one, or the shards of model.safetensors.index.json).</param>
/// <param name="BytesOnDisk">Their total size in bytes.</param>
/// <param name="ChatTemplate">
/// The chat template's family (ChatMl, Llama3, Llama2, Mistral, Gemma, Zephyr; see <see cref="ChatTemplateFamily"/>),
/// <see cref="UnsupportedChatTemplate"/> for a template AlignLab does not render, or null when the folder has none.
/// </param>
/// <param name="EndTokens">
/// The model's end-token set (<see cref="TransformerConfig.EndTokens"/>: config.json's <c>eos_token_id</c>, then
/// generation_config.json's): generation stops at the first of them, and log-probs, lengths and rewards end there.
/// </param>
/// <param name="Rope">
/// The rotary embedding's form (<see cref="AlignLab.Models.Layers.RopeParameters.ToString"/>: type, θ, factor and the
/// type's fields), or null for learned positions (GPT-2).
/// </param>
/// <param name="SlidingWindow">The sliding window of the layers that have one (null: none does).</param>
/// <param name="SlidingLayers">The layers that attend within <paramref name="SlidingWindow"/> (null: none).</param>
/// <param name="AttentionSoftcap">Gemma2's cap c of the attention scores, c·tanh(x/c) (null: none).</param>
/// <param name="FinalSoftcap">Gemma2's cap of the final logits (null: none).</param>
/// <param name="LabelNames">A classifier's labels by index (<c>id2label</c>); null for a language model.</param>
/// <param name="Unsupported">
/// Why AlignLab cannot load the folder (the config reader's one-line message: an unknown architecture, a config key it
/// does not implement, a malformed config.json), or null when it can. An unsupported folder's other facts are what config.json states
/// (0 where it does not), its parameter count 0.
/// </param>
public sealed record ModelInfo(
    string Folder,
    string Architecture,
    long Parameters,
    IReadOnlyList<string> DtypesOnDisk,
    int VocabSize,
    int ContextLength,
    int Layers,
    int HiddenSize,
    int Heads,
    int KeyValueHeads,
    TokenizerInfo? Tokenizer,
    string? ModelClass,
    int? Labels,
    int IntermediateSize,
    IReadOnlyList<string> WeightFiles,
    long BytesOnDisk,
    string? ChatTemplate,
    IReadOnlyList<int> EndTokens,
    string? Rope = null,
    int? SlidingWindow = null,
    IReadOnlyList<int>? SlidingLayers = null,
    double? AttentionSoftcap = null,
    double? FinalSoftcap = null,
    IReadOnlyList<string>? LabelNames = null,
    string? Unsupported = null)
{
    /// <summary>Whether AlignLab loads the folder (<see cref="Unsupported"/> says why not).</summary>
    public bool Supported => Unsupported is null;

    /// <summary>The <see cref="ChatTemplate"/> of a folder whose template is of a family AlignLab does not render.</summary>
    public const string UnsupportedChatTemplate = "unsupported";

    /// <summary>Whether the folder is a reward model: a <c>*ForSequenceClassification</c> with one label (<see cref="Models.LoadReward"/>).</summary>
    public bool IsRewardModel => Labels == 1;

    /// <summary>
    /// Reads the facts of the model folder <paramref name="folder"/> (absolute) without loading its weights. A folder
    /// whose config.json AlignLab refuses is described by what the file states, with the reason.
    /// </summary>
    internal static ModelInfo Read(string folder)
    {
        // A config AlignLab refuses makes the folder unsupported; a broken weight file is an error.
        try
        {
            TransformerConfig.Read(Path.Combine(folder, HuggingFaceFolder.ConfigFile));
        }
        catch (InvalidDataException e)
        {
            return Refused(folder, e.Message);
        }
        var stored = HuggingFaceFolder.Inspect(folder);
        var c = stored.Config;
        var sliding = Enumerable.Range(0, c.Layers).Where(l => c.WindowOf(l) is not null).ToArray();
        return new ModelInfo(folder, c.ModelType, stored.Parameters, stored.Dtypes, c.VocabSize, c.MaxPositions, c.Layers, c.HiddenSize,
            c.Heads, c.KeyValueHeads, TokenizerOf(folder), stored.Architectures.FirstOrDefault(), stored.Labels, c.IntermediateSize, stored.Files,
            stored.BytesOnDisk, ChatTemplateFamilyOf(folder), [.. c.EndTokens.Select(id => (int)id)],
            Rope: c.HasRotary ? c.Rotary.ToString() : null,
            SlidingWindow: sliding.Length > 0 ? c.SlidingWindow : null, SlidingLayers: sliding.Length > 0 ? sliding : null,
            AttentionSoftcap: c.AttentionSoftcap, FinalSoftcap: c.FinalSoftcap,
            LabelNames: stored.Labels is null ? null : LabelsOf(Path.Combine(folder, HuggingFaceFolder.ConfigFile)));
    }

    private static TokenizerInfo? TokenizerOf(string folder)
    {
        var t = ModelTokenizer.Exists(folder) ? ModelTokenizer.Load(folder) : null;
        return t is null
            ? null
            : new TokenizerInfo(t.Kind == TokenizerKind.ByteLevelBpe ? "byte-level-bpe" : "sentencepiece", Path.GetFileName(t.SourceFile),
                t.VocabularySize, t.SpecialIds.Bos, t.AddsBos, t.SpecialIds.Eos, t.SpecialIds.Pad);
    }

    // An unsupported folder: what config.json states (read leniently), the weight files by name, and the reason.
    private static ModelInfo Refused(string folder, string reason)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, HuggingFaceFolder.ConfigFile))) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            json = [];
        }
        int Int(params string[] keys) => keys.Select(k => json[k] is JsonValue v && v.TryGetValue(out int i) ? i : 0).FirstOrDefault(i => i != 0);
        string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? text) ? text : null;
        var files = Directory.EnumerateFiles(folder, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        int heads = Int("num_attention_heads", "n_head");
        return new ModelInfo(folder, Text(json["model_type"]) ?? "unknown", 0, [], Int("vocab_size"),
            Int("max_position_embeddings", "n_positions"), Int("num_hidden_layers", "n_layer"), Int("hidden_size", "n_embd"), heads,
            Int("num_key_value_heads") is > 0 and var kv ? kv : heads, null, Text((json["architectures"] as JsonArray)?.FirstOrDefault()), null,
            Int("intermediate_size", "n_inner"), [.. files.Select(Path.GetFileName).OfType<string>()], files.Sum(f => new FileInfo(f).Length),
            null, [], Unsupported: reason);
    }

    // id2label's names in index order.
    private static IReadOnlyList<string> LabelsOf(string configPath)
    {
        var labels = (JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject)?["id2label"] as JsonObject;
        return labels is null
            ? []
            : [.. labels.Select(p => (Index: int.TryParse(p.Key, out int i) ? i : int.MaxValue, Name: p.Value is JsonValue v && v.TryGetValue(out string? n) ? n : p.Key))
                .OrderBy(p => p.Index).Select(p => p.Name)];
    }

    private static string? ChatTemplateFamilyOf(string folder)
    {
        if (!AlignLab.Models.Tokenization.ChatTemplate.Exists(folder)) return null;
        try
        {
            return AlignLab.Models.Tokenization.ChatTemplate.Load(folder).Family.ToString();
        }
        catch (InvalidDataException)
        {
            // A template of a family AlignLab does not render is a fact about the folder, not an error of `model info`:
            // scoring and sampling work; only chat prompts need a template passed explicitly.
            return UnsupportedChatTemplate;
        }
    }
}
