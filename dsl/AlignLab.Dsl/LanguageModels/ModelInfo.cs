using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;

namespace AlignLab.Dsl;

/// <summary>
/// What a model folder holds, as <c>alignlab model info</c> prints it: read from config.json, the tokenizer files and the
/// safetensors headers, never the weights (<see cref="Models.Info"/>).
/// </summary>
/// <param name="Folder">The folder (absolute).</param>
/// <param name="Architecture">The config's <c>model_type</c> (gpt2, llama, mistral, qwen2, gpt_neox).</param>
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
    IReadOnlyList<int> EndTokens)
{
    /// <summary>The <see cref="ChatTemplate"/> of a folder whose template is of a family AlignLab does not render.</summary>
    public const string UnsupportedChatTemplate = "unsupported";

    /// <summary>Whether the folder is a reward model: a <c>*ForSequenceClassification</c> with one label (<see cref="Models.LoadReward"/>).</summary>
    public bool IsRewardModel => Labels == 1;

    /// <summary>Reads the facts of the model folder <paramref name="folder"/> (absolute) without loading its weights.</summary>
    internal static ModelInfo Read(string folder)
    {
        var stored = HuggingFaceFolder.Inspect(folder);
        var t = ModelTokenizer.Exists(folder) ? ModelTokenizer.Load(folder) : null;
        var tokenizer = t is null
            ? null
            : new TokenizerInfo(t.Kind == TokenizerKind.ByteLevelBpe ? "byte-level-bpe" : "sentencepiece", Path.GetFileName(t.SourceFile),
                t.VocabularySize, t.SpecialIds.Bos, t.AddsBos, t.SpecialIds.Eos, t.SpecialIds.Pad);
        var c = stored.Config;
        return new ModelInfo(folder, c.ModelType, stored.Parameters, stored.Dtypes, c.VocabSize, c.MaxPositions, c.Layers, c.HiddenSize,
            c.Heads, c.KeyValueHeads, tokenizer, stored.Architectures.FirstOrDefault(), stored.Labels, c.IntermediateSize, stored.Files,
            stored.BytesOnDisk, ChatTemplateFamilyOf(folder), [.. c.EndTokens.Select(id => (int)id)]);
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
