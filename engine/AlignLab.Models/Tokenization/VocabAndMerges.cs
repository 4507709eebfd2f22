using System.Text.Json;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// Reads a byte-level BPE saved the older way, as <c>vocab.json</c> + <c>merges.txt</c> (what GPT-2's "slow" tokenizer
/// writes, so many fine-tuned GPT-2 and Pythia folders have no <c>tokenizer.json</c>): GPT-2's pre-tokenizer regex,
/// and as added tokens the special tokens named in <c>special_tokens_map.json</c> / <c>tokenizer_config.json</c> plus
/// <c>added_tokens.json</c>.
/// </summary>
internal static class VocabAndMerges
{
    /// <summary>The vocabulary file's name.</summary>
    public const string VocabFile = "vocab.json";

    /// <summary>The merges file's name.</summary>
    public const string MergesFile = "merges.txt";

    /// <summary>Whether <paramref name="folder"/> has both files.</summary>
    public static bool Exists(string folder) =>
        File.Exists(Path.Combine(folder, VocabFile)) && File.Exists(Path.Combine(folder, MergesFile));

    /// <summary>Reads the model and the added tokens of <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file is malformed; the message names it.</exception>
    public static (ByteLevelBpe Model, IReadOnlyList<AddedToken> Added) Read(string folder)
    {
        var vocabPath = Path.Combine(folder, VocabFile);
        var mergesPath = Path.Combine(folder, MergesFile);
        var vocabJson = TokenizerFiles.ReadOptional(vocabPath)!.Value;
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabJson.EnumerateObject()) vocabulary[entry.Name] = TokenizerFiles.Id(entry.Value, entry.Name, vocabPath);
        if (vocabulary.Count == 0) throw new InvalidDataException($"{vocabPath}: the vocabulary is empty.");

        var merges = new List<string>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(mergesPath))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith("#version", StringComparison.Ordinal)) continue;
            var pair = line.Split(' ');
            if (pair.Length != 2 || pair.Any(p => p.Length == 0))
                throw new InvalidDataException($"{mergesPath}: line {lineNumber} must be two tokens separated by one space, got \"{line}\".");
            merges.Add(line);
        }
        var model = new ByteLevelBpe(vocabPath, vocabulary, merges,
            new SplitPreTokenizer([TokenizerJson.Compile(SplitPreTokenizer.Gpt2Pattern, vocabPath)]), [], ignoreMerges: false);
        return (model, AddedTokens(folder, vocabulary));
    }

    private static List<AddedToken> AddedTokens(string folder, Dictionary<string, int> vocabulary)
    {
        var added = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        var addedPath = Path.Combine(folder, "added_tokens.json");
        if (TokenizerFiles.ReadOptional(addedPath) is { } addedJson)
        {
            foreach (var entry in addedJson.EnumerateObject())
                added[entry.Name] = new AddedToken(TokenizerFiles.Id(entry.Value, entry.Name, addedPath), entry.Name, Special: false);
        }
        foreach (var name in new[] { "special_tokens_map.json", "tokenizer_config.json" })
        {
            var path = Path.Combine(folder, name);
            if (TokenizerFiles.ReadOptional(path) is not { } json) continue;
            foreach (var key in new[] { "bos_token", "eos_token", "unk_token", "pad_token" })
            {
                if (TokenizerFiles.Property(json, key) is not { } value) continue;
                var content = value.ValueKind == JsonValueKind.Object ? TokenizerFiles.String(value, "content", path) : TokenizerFiles.String(json, key, path);
                if (content is null || added.ContainsKey(content)) continue;
                var id = vocabulary.TryGetValue(content, out var v) ? v
                    : throw new InvalidDataException($"{path}: {key} \"{content}\" is not in {VocabFile}.");
                added[content] = new AddedToken(id, content, Special: true);
            }
        }
        return [.. added.Values];
    }
}
