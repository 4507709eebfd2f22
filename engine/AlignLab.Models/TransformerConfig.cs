using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Models.Families;
using AlignLab.Models.Layers;

namespace AlignLab.Models;

/// <summary>
/// The shape of a decoder-only transformer, in the fields of a Hugging Face <c>config.json</c> (one record for every
/// architecture; each reads the fields it uses). <see cref="ModelType"/> picks the architecture: <c>gpt2</c>
/// (<see cref="Gpt2LmHeadModel"/>), <c>llama</c>/<c>mistral</c>/<c>qwen2</c> (<see cref="LlamaForCausalLm"/>),
/// <c>gpt_neox</c> (<see cref="GptNeoXForCausalLm"/>). <see cref="HeadDim"/> defaults to HiddenSize / Heads and
/// <see cref="KeyValueHeads"/> to Heads (grouped-query attention when fewer). <see cref="Dropout"/> applies to the
/// residual branches and attention weights in training mode only; a loaded model uses 0 (as alignment fine-tuning does).
/// <see cref="EndTokens"/> is the model's end-of-sequence set, the one rule every response follows.
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
    double RopeTheta = 10000,
    double RotaryPct = 1.0,
    bool TieWordEmbeddings = true,
    bool AttentionBias = false,
    bool MlpBias = false,
    bool ParallelResidual = true,
    int? SlidingWindow = null,
    double Dropout = 0,
    long? BosTokenId = null,
    IReadOnlyList<long>? EosTokenIds = null,
    long? PadTokenId = null,
    IReadOnlyList<long>? GenerationEosTokenIds = null)
{
    /// <summary>The architectures this project implements, by <c>model_type</c>.</summary>
    public static readonly IReadOnlyList<string> SupportedModelTypes = ["gpt2", "llama", "mistral", "qwen2", "gpt_neox"];

    /// <summary>Key/value heads (grouped-query attention shares each among Heads / KeyValueHeads query heads).</summary>
    public int KeyValueHeads => KeyValueHeadCount ?? Heads;

    /// <summary>Width of one attention head.</summary>
    public int HeadDim => HeadDimension ?? HiddenSize / Heads;

    /// <summary>Number of leading dimensions of each head that rotary embeddings rotate (GPT-NeoX's partial rotary).</summary>
    public int RotaryDim => (int)(HeadDim * RotaryPct);

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
        if (!SupportedModelTypes.Contains(ModelType))
            throw new ArgumentException($"model_type '{ModelType}' is not supported (supported: {string.Join(", ", SupportedModelTypes)}).", nameof(ModelType));
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
        if (!(RopeTheta > 0)) throw new ArgumentException($"rope_theta must be > 0 (got {RopeTheta}).", nameof(RopeTheta));
        if (!(RotaryPct > 0 && RotaryPct <= 1) || RotaryDim % 2 != 0 || RotaryDim == 0)
            throw new ArgumentException($"rotary_pct {RotaryPct} must give an even, positive number of rotary dimensions of the head's {HeadDim} (got {RotaryDim}).", nameof(RotaryPct));
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

    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> (its <c>model_type</c> decides which field names and defaults apply, as in
    /// transformers' configuration classes). Throws <see cref="InvalidDataException"/> naming the file and the field for
    /// a missing file, malformed JSON, a missing or mistyped field, an unknown model_type, or a feature this
    /// implementation does not have (rope_scaling, GPT-2's reorder/upcast options, Qwen2's per-layer sliding window).
    /// A generation_config.json beside it contributes its <c>eos_token_id</c> (<see cref="GenerationEosTokenIds"/>).
    /// </summary>
    public static TransformerConfig Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no config.json: '{path}' does not exist.", path);
        var json = ReadObject(path);
        var generationPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "generation_config.json");
        IReadOnlyList<long>? generationEos = null;
        if (File.Exists(generationPath))
        {
            try
            {
                generationEos = EosIds(ReadObject(generationPath));
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"'{generationPath}': eos_token_id must be a token id or a list of token ids ({e.Message}).", e);
            }
        }
        try
        {
            return (FromJson(json) with { GenerationEosTokenIds = generationEos }).Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}': a field has the wrong type ({e.Message}).", e);
        }
    }

    private static JsonObject ReadObject(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>A config object's <c>eos_token_id</c>: one id or a list of ids (null when absent).</summary>
    private static long[]? EosIds(JsonObject json) => json["eos_token_id"] switch
    {
        JsonArray a => a.Select(n => n is JsonValue v ? v.GetValue<long>() : throw new ArgumentException("eos_token_id lists a value that is not a token id.")).ToArray(),
        JsonValue v => [v.GetValue<long>()],
        _ => null,
    };

    /// <summary>The config as parsed from a config.json object (not yet validated).</summary>
    public static TransformerConfig FromJson(JsonObject json)
    {
        var type = Get<string>(json, "model_type") ?? throw new ArgumentException("config.json has no model_type.");
        if (!SupportedModelTypes.Contains(type))
            throw new ArgumentException($"model_type '{type}' is not supported (supported: {string.Join(", ", SupportedModelTypes)}).");
        if (json["rope_scaling"] is JsonObject)
            throw new ArgumentException("rope_scaling is not supported (only plain rotary embeddings are implemented).");
        var eos = EosIds(json);
        long? bos = Get<long?>(json, "bos_token_id"), pad = Get<long?>(json, "pad_token_id");
        switch (type)
        {
            case "gpt2":
                foreach (var flag in new[] { "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn" })
                    if (Get<bool?>(json, flag) == true) throw new ArgumentException($"{flag} true is not supported.");
                if (Get<bool?>(json, "scale_attn_weights") == false) throw new ArgumentException("scale_attn_weights false is not supported.");
                int d = Require<int>(json, "n_embd");
                return new TransformerConfig("gpt2", Require<int>(json, "vocab_size"), d, Require<int>(json, "n_layer"), Require<int>(json, "n_head"),
                    Get<int?>(json, "n_inner") ?? 4 * d, Require<int>(json, "n_positions"),
                    NormEpsilon: Get<double?>(json, "layer_norm_epsilon") ?? 1e-5,
                    Activation: Get<string>(json, "activation_function") ?? "gelu_new",
                    TieWordEmbeddings: Get<bool?>(json, "tie_word_embeddings") ?? true,
                    BosTokenId: bos, EosTokenIds: eos, PadTokenId: pad);
            case "gpt_neox":
                return new TransformerConfig("gpt_neox", Require<int>(json, "vocab_size"), Require<int>(json, "hidden_size"),
                    Require<int>(json, "num_hidden_layers"), Require<int>(json, "num_attention_heads"), Require<int>(json, "intermediate_size"),
                    Get<int?>(json, "max_position_embeddings") ?? 2048,
                    NormEpsilon: Get<double?>(json, "layer_norm_eps") ?? 1e-5,
                    Activation: Get<string>(json, "hidden_act") ?? "gelu",
                    RopeTheta: Get<double?>(json, "rope_theta") ?? Get<double?>(json, "rotary_emb_base") ?? 10000,
                    RotaryPct: Get<double?>(json, "partial_rotary_factor") ?? Get<double?>(json, "rotary_pct") ?? 0.25,
                    TieWordEmbeddings: Get<bool?>(json, "tie_word_embeddings") ?? false,
                    AttentionBias: Get<bool?>(json, "attention_bias") ?? true,
                    ParallelResidual: Get<bool?>(json, "use_parallel_residual") ?? true,
                    BosTokenId: bos, EosTokenIds: eos, PadTokenId: pad);
            default: // llama, mistral, qwen2
                bool qwen = type == "qwen2";
                // Qwen2's window applies only to some layers (max_window_layers); the released models leave it off.
                if (qwen && Get<bool?>(json, "use_sliding_window") == true) throw new ArgumentException("qwen2 with use_sliding_window true is not supported.");
                int? window = type == "mistral" ? Get<int?>(json, "sliding_window") : null;
                return new TransformerConfig(type, Require<int>(json, "vocab_size"), Require<int>(json, "hidden_size"),
                    Require<int>(json, "num_hidden_layers"), Require<int>(json, "num_attention_heads"), Require<int>(json, "intermediate_size"),
                    Get<int?>(json, "max_position_embeddings") ?? 2048,
                    NormEpsilon: Get<double?>(json, "rms_norm_eps") ?? 1e-6,
                    Activation: Get<string>(json, "hidden_act") ?? "silu",
                    KeyValueHeadCount: Get<int?>(json, "num_key_value_heads"),
                    HeadDimension: Get<int?>(json, "head_dim"),
                    RopeTheta: Get<double?>(json, "rope_theta") ?? 10000,
                    TieWordEmbeddings: Get<bool?>(json, "tie_word_embeddings") ?? false,
                    // Qwen2 always has q/k/v biases (and none on o_proj); Llama and Mistral have them when attention_bias is set.
                    AttentionBias: qwen || (Get<bool?>(json, "attention_bias") ?? false),
                    MlpBias: Get<bool?>(json, "mlp_bias") ?? false,
                    SlidingWindow: window,
                    BosTokenId: bos, EosTokenIds: eos, PadTokenId: pad);
        }
    }

    /// <summary>The config as a Hugging Face config.json object (the fields its architecture reads; eos_token_id: <see cref="EndTokens"/>).</summary>
    public JsonObject ToJson()
    {
        var json = new JsonObject { ["model_type"] = ModelType, ["vocab_size"] = VocabSize };
        switch (ModelType)
        {
            case "gpt2":
                json["architectures"] = new JsonArray("GPT2LMHeadModel");
                json["n_embd"] = HiddenSize;
                json["n_layer"] = Layers;
                json["n_head"] = Heads;
                json["n_inner"] = IntermediateSize;
                json["n_positions"] = MaxPositions;
                json["layer_norm_epsilon"] = NormEpsilon;
                json["activation_function"] = Activation;
                json["tie_word_embeddings"] = true;
                break;
            case "gpt_neox":
                json["architectures"] = new JsonArray("GPTNeoXForCausalLM");
                Common(json);
                json["layer_norm_eps"] = NormEpsilon;
                json["rotary_pct"] = RotaryPct;
                json["rotary_emb_base"] = RopeTheta;
                json["attention_bias"] = AttentionBias;
                json["use_parallel_residual"] = ParallelResidual;
                break;
            default:
                json["architectures"] = new JsonArray(ModelType switch { "llama" => "LlamaForCausalLM", "mistral" => "MistralForCausalLM", _ => "Qwen2ForCausalLM" });
                Common(json);
                json["rms_norm_eps"] = NormEpsilon;
                json["num_key_value_heads"] = KeyValueHeads;
                if (HeadDimension is { } headDim) json["head_dim"] = headDim;
                json["rope_theta"] = RopeTheta;
                if (ModelType != "qwen2") json["attention_bias"] = AttentionBias;
                json["mlp_bias"] = MlpBias;
                if (SlidingWindow is { } w) json["sliding_window"] = w;
                break;
        }
        if (BosTokenId is { } bos) json["bos_token_id"] = bos;
        // The whole end-token set, so a saved folder reloads with the same one even without a generation_config.json.
        if (EndTokens is { Count: > 0 } eos) json["eos_token_id"] = eos.Count == 1 ? eos[0] : new JsonArray(eos.Select(e => (JsonNode)e).ToArray());
        if (PadTokenId is { } pad) json["pad_token_id"] = pad;
        json["torch_dtype"] = "float32";
        return json;
    }

    private void Common(JsonObject json)
    {
        json["hidden_size"] = HiddenSize;
        json["num_hidden_layers"] = Layers;
        json["num_attention_heads"] = Heads;
        json["intermediate_size"] = IntermediateSize;
        json["max_position_embeddings"] = MaxPositions;
        json["hidden_act"] = Activation;
        json["tie_word_embeddings"] = TieWordEmbeddings;
    }

    private static T? Get<T>(JsonObject json, string field) =>
        json[field] is JsonValue v ? v.GetValue<T>() : default;

    private static T Require<T>(JsonObject json, string field) where T : struct =>
        json[field] is JsonValue v ? v.GetValue<T>() : throw new ArgumentException($"config.json has no {field}.", field);
}
