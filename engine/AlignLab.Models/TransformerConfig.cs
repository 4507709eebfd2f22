using System.Text.Json.Nodes;
using AlignLab.Models.Families;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Layers;

namespace AlignLab.Models;

/// <summary>
/// The shape of a decoder-only transformer, in the fields of a Hugging Face <c>config.json</c>: one record every layer
/// reads, filled by one reader per architecture beside its model file (<see cref="Gpt2Config"/>, <see cref="LlamaConfig"/>
/// for llama/mistral/qwen2, <see cref="Qwen3Config"/>, <see cref="GemmaConfig"/>, <see cref="Gemma2Config"/>,
/// <see cref="GptNeoXConfig"/>), each reading its keys strictly (<see cref="ConfigJson"/>). <see cref="ModelType"/>
/// picks the architecture: <c>gpt2</c> (<see cref="Gpt2LmHeadModel"/>), <c>llama</c>/<c>mistral</c>/<c>qwen2</c>/
/// <c>qwen3</c>/<c>gemma</c>/<c>gemma2</c> (<see cref="LlamaForCausalLm"/>), <c>gpt_neox</c>
/// (<see cref="GptNeoXForCausalLm"/>). <see cref="HeadDim"/> defaults to HiddenSize / Heads and
/// <see cref="KeyValueHeads"/> to Heads (grouped-query attention when fewer). <see cref="Rope"/> is the rotary
/// embedding's form (null: plain, θ 10000; <see cref="Rotary"/> gives it). <see cref="SlidingWindow"/> w limits a query
/// at position i to keys s with i − s &lt; w, on every layer or on the layers <see cref="SlidingLayers"/> marks.
/// <see cref="AttentionSoftcap"/> and <see cref="FinalSoftcap"/> c bound attention scores and logits to c·tanh(x/c)
/// (Gemma2), and <see cref="QueryPreAttentionScalar"/> s sets the attention scale to s^−½ instead of HeadDim^−½.
/// <see cref="MaxPositions"/> is the longest sequence the model takes (under dynamic NTK scaling, which exists to extend
/// it, max_position_embeddings × factor). <see cref="Dropout"/> applies to the residual branches and attention weights
/// in training mode only; a loaded model uses 0 (as alignment fine-tuning does). <see cref="EndTokens"/> is the model's
/// end-of-sequence set, the one rule every response follows.
/// </summary>
public sealed record TransformerConfig(
    string ModelType,
    int VocabSize,
    int HiddenSize,
    int Layers,
    int Heads,
    int IntermediateSize,
    int MaxPositions,
    double NormEpsilon = 1e-5,
    string Activation = "gelu_new",
    int? KeyValueHeadCount = null,
    int? HeadDimension = null,
    RopeParameters? Rope = null,
    bool TieWordEmbeddings = true,
    bool AttentionBias = false,
    bool MlpBias = false,
    bool ParallelResidual = true,
    int? SlidingWindow = null,
    IReadOnlyList<bool>? SlidingLayers = null,
    double? AttentionSoftcap = null,
    double? FinalSoftcap = null,
    double? QueryPreAttentionScalar = null,
    double Dropout = 0,
    long? BosTokenId = null,
    IReadOnlyList<long>? EosTokenIds = null,
    long? PadTokenId = null,
    IReadOnlyList<long>? GenerationEosTokenIds = null)
{
    private delegate TransformerConfig Reader(ConfigJson json, string modelType);

    // One reader and one writer per architecture, by model_type.
    private static readonly Dictionary<string, (Reader Read, Action<TransformerConfig, JsonObject> Write, string Architecture)> Families = new()
    {
        ["gpt2"] = (Gpt2Config.Read, Gpt2Config.Write, "GPT2LMHeadModel"),
        ["llama"] = (LlamaConfig.Read, LlamaConfig.Write, "LlamaForCausalLM"),
        ["mistral"] = (LlamaConfig.Read, LlamaConfig.Write, "MistralForCausalLM"),
        ["qwen2"] = (LlamaConfig.Read, LlamaConfig.Write, "Qwen2ForCausalLM"),
        ["qwen3"] = (Qwen3Config.Read, Qwen3Config.Write, "Qwen3ForCausalLM"),
        ["gemma"] = (GemmaConfig.Read, GemmaConfig.Write, "GemmaForCausalLM"),
        ["gemma2"] = (Gemma2Config.Read, Gemma2Config.Write, "Gemma2ForCausalLM"),
        ["gpt_neox"] = (GptNeoXConfig.Read, GptNeoXConfig.Write, "GPTNeoXForCausalLM"),
    };

    /// <summary>The architectures this project implements, by <c>model_type</c>.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = [.. Families.Keys];

    /// <summary>Key/value heads (grouped-query attention shares each among Heads / KeyValueHeads query heads).</summary>
    public int KeyValueHeads => KeyValueHeadCount ?? Heads;

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HeadDimension ?? HiddenSize / Heads;

    /// <summary>The rotary embedding's form (<see cref="Rope"/>, or plain rotation with θ 10000).</summary>
    public RopeParameters Rotary => Rope ?? RopeParameters.Default;

    /// <summary>Whether the architecture places tokens by rotary embeddings (all but GPT-2, which learns its positions).</summary>
    public bool HasRotary => ModelType != "gpt2";

    /// <summary>Number of leading dimensions of each head that rotary embeddings rotate (GPT-NeoX's partial rotary).</summary>
    public int RotaryDim => Rotary.Dimensions(HeadDim);

    /// <summary>
    /// Writes the keys most architectures name alike (all but GPT-2): hidden_size, num_hidden_layers,
    /// num_attention_heads, intermediate_size, max_position_embeddings (under dynamic NTK the original context the
    /// scaling extends), hidden_act, tie_word_embeddings.
    /// </summary>
    internal void WriteShape(JsonObject json)
    {
        foreach (var (key, value) in new (string, JsonNode?)[]
                 {
                     ("hidden_size", HiddenSize), ("num_hidden_layers", Layers), ("num_attention_heads", Heads),
                     ("intermediate_size", IntermediateSize), ("max_position_embeddings", Rotary.IsDynamic ? Rotary.OriginalMaxPositions : MaxPositions),
                     ("hidden_act", Activation), ("tie_word_embeddings", TieWordEmbeddings),
                 })
            json[key] = value;
    }

    /// <summary>The sliding window of layer <paramref name="layer"/> (null: it attends to every earlier position).</summary>
    public int? WindowOf(int layer) => SlidingLayers is null || SlidingLayers[layer] ? SlidingWindow : null;

    /// <summary>The transformers causal-LM class of this architecture (config.json's <c>architectures</c>).</summary>
    public string CausalLmArchitecture => Families.TryGetValue(ModelType, out var f) ? f.Architecture : throw Unsupported(ModelType);

    /// <summary>
    /// The tokens that end a response: config.json's <c>eos_token_id</c> (<see cref="EosTokenIds"/>) followed by the ids
    /// generation_config.json's <c>eos_token_id</c> adds (<see cref="GenerationEosTokenIds"/>), each once, in that order;
    /// empty when neither file names one (tokenizer_config.json's <c>eos_token</c> is not consulted, as transformers'
    /// <c>generate</c> does not). A response ends at its first token from this set, which counts; everything after it
    /// is padding, filled with the first id. Sampling stops there, and log-probs, lengths and rewards stop there too.
    /// Llama-3-Instruct, for example, ends at 128001 (config.json) or at its chat turns' <c>&lt;|eot_id|&gt;</c> 128009.
    /// </summary>
    public IReadOnlyList<long> EndTokens => [.. (EosTokenIds ?? []).Concat(GenerationEosTokenIds ?? []).Distinct()];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field; returns this config.</summary>
    public TransformerConfig Validate()
    {
        if (!SupportedModelTypes.Contains(ModelType)) throw Unsupported(ModelType);
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(Layers, "num_hidden_layers");
        Positive(Heads, "num_attention_heads");
        Positive(IntermediateSize, "intermediate_size");
        Positive(MaxPositions, "max_position_embeddings");
        Positive(KeyValueHeads, "num_key_value_heads");
        Positive(HeadDim, "head_dim");
        if (HeadDimension is null && HiddenSize % Heads != 0)
            throw new ArgumentException($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {Heads}.", nameof(HiddenSize));
        if (Heads % KeyValueHeads != 0)
            throw new ArgumentException($"num_attention_heads {Heads} is not a multiple of num_key_value_heads {KeyValueHeads}.", nameof(KeyValueHeadCount));
        if (!(NormEpsilon > 0)) throw new ArgumentException($"the norm epsilon must be > 0 (got {NormEpsilon}).", nameof(NormEpsilon));
        Rotary.Validate();
        if (RotaryDim % 2 != 0 || RotaryDim < 2)
            throw new ArgumentException($"partial_rotary_factor {Rotary.PartialRotaryFactor} must give an even, positive number of rotary dimensions of the head's {HeadDim} (got {RotaryDim}).", nameof(Rope));
        if (SlidingWindow is < 1) throw new ArgumentException($"sliding_window must be >= 1 (got {SlidingWindow}).", nameof(SlidingWindow));
        if (SlidingLayers is not null && SlidingLayers.Count != Layers)
            throw new ArgumentException($"SlidingLayers lists {SlidingLayers.Count} layers but the model has {Layers}.", nameof(SlidingLayers));
        foreach (var (cap, field) in new[] { (AttentionSoftcap, "attn_logit_softcapping"), (FinalSoftcap, "final_logit_softcapping"), (QueryPreAttentionScalar, "query_pre_attn_scalar") })
            if (cap is { } c && !(c > 0 && double.IsFinite(c))) throw new ArgumentException($"{field} must be > 0 (got {c}).", field);
        if (!(Dropout >= 0 && Dropout < 1)) throw new ArgumentException($"Dropout must be in [0, 1) (got {Dropout}).", nameof(Dropout));
        if (ModelType == "gpt2" && !TieWordEmbeddings)
            throw new ArgumentException("GPT-2 with tie_word_embeddings false is not supported (its head is the token embedding).", nameof(TieWordEmbeddings));
        ActivationFunctions.Check(Activation);
        foreach (var (id, field) in new[] { (BosTokenId, "bos_token_id"), (PadTokenId, "pad_token_id") }
                     .Concat((EosTokenIds ?? []).Select(e => ((long?)e, "eos_token_id")))
                     .Concat((GenerationEosTokenIds ?? []).Select(e => ((long?)e, "generation_config.json eos_token_id"))))
            if (id is { } v && (v < 0 || v >= VocabSize))
                throw new ArgumentException($"{field} {v} is not a token of the {VocabSize}-token vocabulary.", field);
        return this;
    }

    private static void Positive(int value, string field)
    {
        if (value < 1) throw new ArgumentException($"{field} must be >= 1 (got {value}).", field);
    }

    private static ArgumentException Unsupported(string modelType) =>
        new($"model_type '{modelType}' is not supported (supported: {string.Join(", ", SupportedModelTypes)}).", nameof(ModelType));

    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> with the reader of its <c>model_type</c>, which takes the keys that
    /// architecture uses with transformers' defaults; every other key must be one of <see cref="ConfigJson.Harmless"/>
    /// (or null). Throws <see cref="InvalidDataException"/>, one line naming the file and the key, for a missing file,
    /// malformed JSON, a missing or mistyped key, an unknown model_type, and a key or value this implementation does not
    /// compute (an unknown rope_type, GPT-2's reordered attention, a key no reader knows, …): never read without it.
    /// A generation_config.json beside it contributes its <c>eos_token_id</c> (<see cref="GenerationEosTokenIds"/>).
    /// </summary>
    public static TransformerConfig Read(string path)
    {
        var json = ConfigJson.Open(path);
        var generationPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "generation_config.json");
        IReadOnlyList<long>? generationEos = File.Exists(generationPath) ? ConfigJson.Open(generationPath).Ids("eos_token_id") : null;
        try
        {
            return (FromJson(json) with { GenerationEosTokenIds = generationEos }).Validate();
        }
        catch (ArgumentException e)
        {
            throw json.Refused(e.Message);
        }
    }

    /// <summary>The config read from a config.json object by its architecture's reader (not yet validated).</summary>
    public static TransformerConfig FromJson(ConfigJson json)
    {
        var type = json.String("model_type") ?? throw json.Refused("model_type is missing.");
        if (!Families.TryGetValue(type, out var family)) throw json.Refused(Unsupported(type).Message);
        return family.Read(json, type);
    }

    /// <summary>
    /// The config as a Hugging Face config.json object that transformers 4 and 5 both read as this model: the keys its
    /// architecture's reader reads (rope in both forms, windows and caps kept when null), the token ids
    /// (eos_token_id: <see cref="EndTokens"/>), and <c>torch_dtype</c>/<c>dtype</c> naming <paramref name="storedAs"/>,
    /// the dtype of the saved weights (<c>float32</c>, <c>float16</c> or <c>bfloat16</c>).
    /// </summary>
    public JsonObject ToJson(string storedAs = "float32")
    {
        if (!Families.TryGetValue(ModelType, out var family)) throw Unsupported(ModelType);
        var json = new JsonObject { ["model_type"] = ModelType, ["architectures"] = new JsonArray(family.Architecture), ["vocab_size"] = VocabSize };
        family.Write(this, json);
        if (BosTokenId is { } bos) json["bos_token_id"] = bos;
        // The whole end-token set, so a saved folder reloads with the same one even without a generation_config.json.
        if (EndTokens is { Count: > 0 } eos) json["eos_token_id"] = eos.Count == 1 ? eos[0] : new JsonArray(eos.Select(e => (JsonNode)e).ToArray());
        if (PadTokenId is { } pad) json["pad_token_id"] = pad;
        json["torch_dtype"] = storedAs;
        json["dtype"] = storedAs;
        return json;
    }
}
