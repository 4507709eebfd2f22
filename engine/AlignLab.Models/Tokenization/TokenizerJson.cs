using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> whose model is byte-level BPE: the vocabulary and merges, the
/// normaliser, the pre-tokenizer's regexes, the added tokens, and the BOS token its post-processor puts first.
/// </summary>
/// <remarks>
/// Supported parts: model <c>BPE</c> (merges as "a b" strings or [a, b] pairs; <c>ignore_merges</c>); normalisers
/// <c>NFC</c>, <c>NFD</c>, <c>NFKC</c>, <c>NFKD</c> and <c>Sequence</c>s of them; pre-tokenizers <c>ByteLevel</c>
/// (<c>use_regex</c> ⇒ GPT-2's pattern), <c>Split</c> (behaviour <c>Isolated</c>), <c>Digits</c> and <c>Sequence</c>s
/// of them; post-processor <c>TemplateProcessing</c> (its leading special token is the BOS). Anything else is an
/// error naming the file and the part rather than a tokenizer that silently differs from the model's.
/// </remarks>
internal sealed class TokenizerJson
{
    private TokenizerJson(ByteLevelBpe? model, string? notByteLevel, IReadOnlyList<AddedToken> added, string? templateBos)
    {
        Model = model;
        NotByteLevel = notByteLevel;
        AddedTokens = added;
        TemplateBos = templateBos;
    }

    /// <summary>The byte-level BPE model, or null when the file holds another kind of BPE (<see cref="NotByteLevel"/>).</summary>
    public ByteLevelBpe? Model { get; }

    /// <summary>Why <see cref="Model"/> is null: the file's BPE is not byte-level (e.g. Llama-2's SentencePiece-style one).</summary>
    public string? NotByteLevel { get; }

    /// <summary>The file's <c>added_tokens</c>.</summary>
    public IReadOnlyList<AddedToken> AddedTokens { get; }

    /// <summary>The special token the <c>TemplateProcessing</c> post-processor puts before a single text, if any.</summary>
    public string? TemplateBos { get; }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or uses a part AlignLab does not implement.</exception>
    public static TokenizerJson Read(string path)
    {
        var root = TokenizerFiles.ReadOptional(path) ?? throw new FileNotFoundException($"{path}: no such file.", path);
        var model = TokenizerFiles.Property(root, "model") ?? throw new InvalidDataException($"{path}: no \"model\".");
        var type = TokenizerFiles.String(model, "type", path) ?? (TokenizerFiles.Property(model, "merges") is null ? "?" : "BPE");
        if (type != "BPE")
            throw new InvalidDataException($"{path}: model type \"{type}\" is not supported (AlignLab reads byte-level BPE tokenizer.json files and SentencePiece tokenizer.model files).");

        var added = ReadAddedTokens(root, path);
        var templateBos = ReadTemplateBos(TokenizerFiles.Property(root, "post_processor"), path);
        var stages = new List<Regex>();
        // Only a byte-level file is read here, strictly; any other BPE (Metaspace or no pre-tokenizer: SentencePiece-style,
        // as Llama-2's and Mistral's) is left to the folder's tokenizer.model.
        var preTokenizer = TokenizerFiles.Property(root, "pre_tokenizer");
        if (!HasByteLevel(preTokenizer))
            return new TokenizerJson(null, "its BPE model has no ByteLevel pre-tokenizer (a SentencePiece-style BPE)", added, templateBos);
        ReadPreTokenizer(preTokenizer, path, stages);
        if (TokenizerFiles.Bool(model, "byte_fallback", path) == true)
            throw new InvalidDataException($"{path}: a byte-level BPE with byte_fallback is not supported.");
        if (!string.IsNullOrEmpty(TokenizerFiles.String(model, "continuing_subword_prefix", path)) ||
            !string.IsNullOrEmpty(TokenizerFiles.String(model, "end_of_word_suffix", path)))
            throw new InvalidDataException($"{path}: continuing_subword_prefix / end_of_word_suffix are not supported with a byte-level BPE.");

        var bpe = new ByteLevelBpe(path, ReadVocabulary(model, path), ReadMerges(model, path), new SplitPreTokenizer(stages),
            ReadNormalizer(TokenizerFiles.Property(root, "normalizer"), path), TokenizerFiles.Bool(model, "ignore_merges", path) ?? false);
        return new TokenizerJson(bpe, null, added, templateBos);
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement model, string path)
    {
        if (TokenizerFiles.Property(model, "vocab") is not { ValueKind: JsonValueKind.Object } vocab)
            throw new InvalidDataException($"{path}: model.vocab must be an object mapping tokens to ids.");
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocab.EnumerateObject()) result[entry.Name] = TokenizerFiles.Id(entry.Value, $"model.vocab[\"{entry.Name}\"]", path);
        if (result.Count == 0) throw new InvalidDataException($"{path}: model.vocab is empty.");
        return result;
    }

    private static List<string> ReadMerges(JsonElement model, string path)
    {
        if (TokenizerFiles.Property(model, "merges") is not { ValueKind: JsonValueKind.Array } merges)
            throw new InvalidDataException($"{path}: model.merges must be an array.");
        var result = new List<string>(merges.GetArrayLength());
        var index = 0;
        foreach (var merge in merges.EnumerateArray())
        {
            // Older files write "a b"; newer ones [a, b]. Byte-level tokens never hold a space, so "a b" is unambiguous.
            var pair = merge.ValueKind switch
            {
                JsonValueKind.String => merge.GetString()!.Split(' '),
                JsonValueKind.Array when merge.GetArrayLength() == 2 && merge.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String)
                    => merge.EnumerateArray().Select(p => p.GetString()!).ToArray(),
                _ => [],
            };
            if (pair.Length != 2 || pair.Any(p => p.Length == 0 || p.Contains(' ')))
                throw new InvalidDataException($"{path}: model.merges[{index}] must be two tokens, got {merge.GetRawText()}.");
            result.Add($"{pair[0]} {pair[1]}");
            index++;
        }
        return result;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var result = new List<AddedToken>();
        if (TokenizerFiles.Property(root, "added_tokens") is not { } list) return result;
        if (list.ValueKind != JsonValueKind.Array) throw TokenizerFiles.Bad(path, "added_tokens", "an array", list);
        foreach (var token in list.EnumerateArray())
        {
            var content = TokenizerFiles.String(token, "content", path);
            var id = TokenizerFiles.OptionalId(token, "id", path);
            if (content is null || id is null) throw new InvalidDataException($"{path}: every added_tokens entry needs \"id\" and \"content\", got {token.GetRawText()}.");
            result.Add(AddedTokenOf(id.Value, content, token, path));
        }
        return result;
    }

    /// <summary>An added token with the flags of its JSON entry (<c>special</c>, <c>lstrip</c>, <c>rstrip</c>, <c>single_word</c>).</summary>
    internal static AddedToken AddedTokenOf(int id, string content, JsonElement entry, string path) => new(id, content,
        Special: TokenizerFiles.Bool(entry, "special", path) ?? false,
        LStrip: TokenizerFiles.Bool(entry, "lstrip", path) ?? false,
        RStrip: TokenizerFiles.Bool(entry, "rstrip", path) ?? false,
        SingleWord: TokenizerFiles.Bool(entry, "single_word", path) ?? false);

    private static IReadOnlyList<NormalizationForm> ReadNormalizer(JsonElement? normalizer, string path)
    {
        if (normalizer is not { } n) return [];
        var type = TokenizerFiles.String(n, "type", path);
        if (type == "Sequence")
        {
            if (TokenizerFiles.Property(n, "normalizers") is not { ValueKind: JsonValueKind.Array } steps)
                throw new InvalidDataException($"{path}: a Sequence normalizer needs a \"normalizers\" array.");
            return steps.EnumerateArray().SelectMany(s => ReadNormalizer(s, path)).ToArray();
        }
        return type switch
        {
            "NFC" => [NormalizationForm.FormC],
            "NFD" => [NormalizationForm.FormD],
            "NFKC" => [NormalizationForm.FormKC],
            "NFKD" => [NormalizationForm.FormKD],
            _ => throw new InvalidDataException($"{path}: normalizer \"{type}\" is not supported with a byte-level BPE (supported: NFC, NFD, NFKC, NFKD, Sequence)."),
        };
    }

    private static bool HasByteLevel(JsonElement? preTokenizer) =>
        preTokenizer is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String &&
        (type.GetString() == "ByteLevel" ||
         type.GetString() == "Sequence" && p.TryGetProperty("pretokenizers", out var steps) && steps.ValueKind == JsonValueKind.Array &&
         steps.EnumerateArray().Any(s => HasByteLevel(s)));

    // Adds the pre-tokenizer's regexes to stages; returns whether it has a ByteLevel step.
    private static bool ReadPreTokenizer(JsonElement? preTokenizer, string path, List<Regex> stages)
    {
        if (preTokenizer is not { } p) return false;
        var type = TokenizerFiles.String(p, "type", path);
        switch (type)
        {
            case "Sequence":
                if (TokenizerFiles.Property(p, "pretokenizers") is not { ValueKind: JsonValueKind.Array } steps)
                    throw new InvalidDataException($"{path}: a Sequence pre_tokenizer needs a \"pretokenizers\" array.");
                var byteLevel = false;
                foreach (var step in steps.EnumerateArray()) byteLevel |= ReadPreTokenizer(step, path, stages);
                return byteLevel;
            case "ByteLevel":
                if (TokenizerFiles.Bool(p, "add_prefix_space", path) == true)
                    throw new InvalidDataException($"{path}: ByteLevel add_prefix_space = true is not supported (decoding would not give the text back).");
                if (TokenizerFiles.Bool(p, "use_regex", path) ?? true) stages.Add(Compile(SplitPreTokenizer.Gpt2Pattern, path));
                return true;
            case "Split":
                var behavior = TokenizerFiles.String(p, "behavior", path);
                if (behavior != "Isolated" || TokenizerFiles.Bool(p, "invert", path) == true)
                    throw new InvalidDataException($"{path}: Split pre_tokenizer with behavior \"{behavior}\"{(TokenizerFiles.Bool(p, "invert", path) == true ? " and invert" : "")} is not supported (only Isolated).");
                var pattern = TokenizerFiles.Property(p, "pattern");
                if (pattern is { } r && TokenizerFiles.String(r, "Regex", path) is { } regex) stages.Add(Compile(regex, path));
                else if (pattern is { } s && TokenizerFiles.String(s, "String", path) is { } literal) stages.Add(Compile(Regex.Escape(literal), path));
                else throw new InvalidDataException($"{path}: Split pre_tokenizer needs a pattern {{\"Regex\": …}} or {{\"String\": …}}.");
                return false;
            case "Digits":
                stages.Add(Compile(TokenizerFiles.Bool(p, "individual_digits", path) == true ? @"\p{N}" : @"\p{N}+", path));
                return false;
            default:
                throw new InvalidDataException($"{path}: pre_tokenizer \"{type}\" is not supported with a byte-level BPE (supported: ByteLevel, Split, Digits, Sequence).");
        }
    }

    /// <summary>The pre-tokenizer regex <paramref name="pattern"/>; one .NET cannot compile is an error naming <paramref name="path"/>.</summary>
    internal static Regex Compile(string pattern, string path)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: the pre-tokenizer regex {pattern} is not a .NET regex ({e.Message}).");
        }
    }

    private static string? ReadTemplateBos(JsonElement? postProcessor, string path)
    {
        if (postProcessor is not { } processor) return null;
        var type = TokenizerFiles.String(processor, "type", path);
        if (type == "Sequence" && TokenizerFiles.Property(processor, "processors") is { ValueKind: JsonValueKind.Array } steps)
            return steps.EnumerateArray().Select(s => ReadTemplateBos(s, path)).FirstOrDefault(b => b is not null);
        if (type != "TemplateProcessing" || TokenizerFiles.Property(processor, "single") is not { ValueKind: JsonValueKind.Array } single)
            return null;
        var first = single.EnumerateArray().FirstOrDefault();
        return TokenizerFiles.Property(first, "SpecialToken") is { } special ? TokenizerFiles.String(special, "id", path) : null;
    }
}
