using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// A <c>config.json</c> object read strictly: an architecture's reader takes each key it uses through this type,
/// which records it, and <see cref="Finish"/> then refuses the first key that was neither taken nor on
/// <see cref="Harmless"/>, the short list of keys that cannot change the forward pass. So a key AlignLab does not
/// implement is refused, naming the key and the file, never ignored. A JSON <c>null</c> reads as absent (transformers'
/// <c>None</c>: the default). Nested objects (<c>rope_scaling</c>, <c>rope_parameters</c>) are read by a
/// <see cref="Child"/> reader whose keys are named <c>parent.key</c>. Every error is an
/// <see cref="InvalidDataException"/> whose one-line message starts with the file's path.
/// </summary>
public sealed class ConfigJson
{
    /// <summary>
    /// Keys that cannot change a loaded model's forward pass, accepted wherever they appear at the top level: the
    /// file's identity (<c>_name_or_path</c>, <c>architectures</c>, <c>transformers_version</c>, …), the stored dtype
    /// (<c>torch_dtype</c>/<c>dtype</c>: weights are read as stored), cache and initialisation settings, dropout
    /// probabilities (a loaded model runs without dropout), labels (read by the reward-model loader), tokenizer and
    /// pipeline hints, and the generation settings older transformers kept in config.json (generation is set by
    /// AlignLab's own options; only <c>eos_token_id</c> is read, as the end-token set).
    /// </summary>
    public static readonly IReadOnlySet<string> Harmless = new HashSet<string>(StringComparer.Ordinal)
    {
        "_name_or_path", "architectures", "transformers_version", "_commit_hash", "_attn_implementation",
        "_attn_implementation_autoset", "attn_implementation", "torch_dtype", "dtype", "use_cache", "initializer_range",
        "initializer_factor", "pretraining_tp", "return_dict", "output_attentions", "output_hidden_states", "torchscript",
        "use_bfloat16", "tokenizer_class", "prefix", "task_specific_params", "finetuning_task", "problem_type",
        "id2label", "label2id", "num_labels", "cache_implementation", "is_llama_config", "keys_to_ignore_at_inference",
        "attention_dropout", "hidden_dropout", "attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_first_dropout",
        "classifier_dropout", "hidden_dropout_prob", "attention_probs_dropout_prob",
        "summary_type", "summary_use_proj", "summary_activation", "summary_proj_to_labels",
        "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups", "diversity_penalty",
        "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores",
        "return_dict_in_generate", "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
        "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "decoder_start_token_id",
        "sep_token_id", "tf_legacy_loss",
    };

    private readonly JsonObject _json;
    private readonly string _prefix;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    /// <summary>A reader over <paramref name="json"/>, the contents of the file at <paramref name="path"/>.</summary>
    public ConfigJson(JsonObject json, string path) : this(json, path, "") { }

    private ConfigJson(JsonObject json, string path, string prefix)
    {
        _json = json ?? throw new ArgumentNullException(nameof(json));
        Path = path;
        _prefix = prefix;
    }

    /// <summary>The file the object was read from (named in every error).</summary>
    public string Path { get; }

    /// <summary>Reads and parses the JSON object at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">It is not a JSON object.</exception>
    public static ConfigJson Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"no config.json: '{path}' does not exist.", path);
        try
        {
            return new ConfigJson(JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object."), path);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>Whether <paramref name="key"/> is present with a value other than null (it is not taken).</summary>
    public bool Has(string key) => _json[key] is not null;

    /// <summary>The keys of the object, in file order (none taken).</summary>
    public IEnumerable<string> Keys => _json.Select(p => p.Key);

    /// <summary>Integer <paramref name="key"/>, or null when absent or null. Takes the key.</summary>
    public int? Int(string key) => Value(key, "an integer", (JsonValue v, out int r) => v.TryGetValue(out r) || (v.TryGetValue(out double d) && IsInt(d, out r)));

    /// <summary>Number <paramref name="key"/>, or null when absent or null. Takes the key.</summary>
    public double? Number(string key) => Value(key, "a number", (JsonValue v, out double r) => v.TryGetValue(out r));

    /// <summary>Boolean <paramref name="key"/>, or null when absent or null. Takes the key.</summary>
    public bool? Bool(string key) => Value(key, "true or false", (JsonValue v, out bool r) => v.TryGetValue(out r));

    /// <summary>String <paramref name="key"/>, or null when absent or null. Takes the key.</summary>
    public string? String(string key)
    {
        _taken.Add(key);
        return _json[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            var other => throw Wrong(key, "a string", other),
        };
    }

    /// <summary>Integer <paramref name="key"/>; a missing key is an error naming it.</summary>
    public int RequiredInt(string key) => Int(key) ?? throw Missing(key);

    /// <summary>Token id <paramref name="key"/> (one id), or null when absent or null. Takes the key.</summary>
    public long? Id(string key) => Value(key, "a token id", (JsonValue v, out long r) => v.TryGetValue(out r));

    /// <summary>Token id list <paramref name="key"/> (one id or a list of ids), or null when absent. Takes the key.</summary>
    public IReadOnlyList<long>? Ids(string key)
    {
        _taken.Add(key);
        return _json[key] switch
        {
            null => null,
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue(out long id) ? id : throw Wrong(key, "a token id or a list of token ids", _json[key])).ToArray(),
            JsonValue v when v.TryGetValue(out long id) => [id],
            var other => throw Wrong(key, "a token id or a list of token ids", other),
        };
    }

    /// <summary>String list <paramref name="key"/>, or null when absent. Takes the key.</summary>
    public IReadOnlyList<string>? Strings(string key)
    {
        _taken.Add(key);
        return _json[key] switch
        {
            null => null,
            JsonArray a => a.Select(n => n is JsonValue v && v.TryGetValue(out string? s) ? s : throw Wrong(key, "a list of strings", _json[key])).ToArray(),
            var other => throw Wrong(key, "a list of strings", other),
        };
    }

    /// <summary>
    /// Object <paramref name="key"/> as a reader of its own (its keys named <c>key.inner</c> in errors), or null when
    /// absent or null. Takes the key; call <see cref="Finish"/> on the child to refuse keys inside it.
    /// </summary>
    public ConfigJson? Child(string key)
    {
        _taken.Add(key);
        return _json[key] switch
        {
            null => null,
            JsonObject o => new ConfigJson(o, Path, Name(key) + "."),
            var other => throw Wrong(key, "an object", other),
        };
    }

    /// <summary>Takes <paramref name="keys"/> without reading them (for keys the caller has read otherwise).</summary>
    public void Take(params string[] keys)
    {
        foreach (var k in keys) _taken.Add(k);
    }

    /// <summary>
    /// Takes <paramref name="key"/> when it is absent, null or equal to <paramref name="expected"/> (the only value
    /// the implementation computes); any other value is refused, naming the key, its value and <paramref name="why"/>.
    /// </summary>
    public void Expect(string key, JsonNode expected, string why)
    {
        _taken.Add(key);
        var value = _json[key];
        if (value is not null && !JsonNode.DeepEquals(value, expected))
            throw Refused($"{Name(key)} {value.ToJsonString()} is not supported ({why}).");
    }

    /// <summary>An <see cref="InvalidDataException"/> naming the file: <paramref name="message"/> is one sentence about a key.</summary>
    public InvalidDataException Refused(string message) => new($"'{Path}': {message}");

    /// <summary>
    /// Throws an <see cref="InvalidDataException"/> naming the first key of this object that was not taken, is not
    /// <see cref="Harmless"/> (at the top level) and is not null, saying that it may change the model and is not
    /// implemented for <paramref name="what"/>. A null value is transformers' "not set", the feature's default: off.
    /// </summary>
    public void Finish(string what)
    {
        foreach (var (key, value) in _json)
            if (value is not null && !_taken.Contains(key) && (_prefix.Length > 0 || !Harmless.Contains(key)))
                throw Refused($"{Name(key)} is not implemented for {what}; it may change the model, so the config is refused rather than read without it.");
    }

    private delegate bool TryParse<T>(JsonValue value, out T result);

    private T? Value<T>(string key, string kind, TryParse<T> parse) where T : struct
    {
        _taken.Add(key);
        return _json[key] switch
        {
            null => null,
            JsonValue v when parse(v, out var r) => r,
            var other => throw Wrong(key, kind, other),
        };
    }

    private static bool IsInt(double d, out int r)
    {
        r = (int)d;
        return d == Math.Floor(d) && Math.Abs(d) <= int.MaxValue;
    }

    /// <summary>The name of <paramref name="key"/> in errors: <c>parent.key</c> in a <see cref="Child"/> reader.</summary>
    public string Name(string key) => _prefix + key;

    private InvalidDataException Missing(string key) => Refused($"{Name(key)} is missing.");

    private InvalidDataException Wrong(string key, string kind, JsonNode? value) =>
        Refused($"{Name(key)} must be {kind} (got {value?.ToJsonString() ?? "null"}).");

    /// <summary>A number as config.json writes it (invariant culture, shortest round-trip form).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
