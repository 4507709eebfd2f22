using System.Text.Json;

namespace AlignLab.Models.Tokenization;

/// <summary>
/// The ids a model folder gives its control tokens. Each is taken from the first file that sets it, in the order
/// the Hugging Face libraries trust them: <c>generation_config.json</c>, <c>config.json</c> (<c>bos_token_id</c>,
/// <c>eos_token_id</c> — an id or a list of ids —, <c>pad_token_id</c>), then <c>tokenizer_config.json</c>
/// (<c>bos_token</c>, <c>eos_token</c>, <c>pad_token</c> as token text), then the tokenizer itself.
/// </summary>
/// <param name="Bos">Beginning of sequence, if the model has one.</param>
/// <param name="Eos">End of sequence: generation stops at any of them (empty when the folder names none).</param>
/// <param name="Pad">Padding, if the folder names one.</param>
public sealed record SpecialTokenIds(int? Bos, IReadOnlyList<int> Eos, int? Pad)
{
    /// <summary>Reads the ids from <paramref name="folder"/>'s configuration files.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="idOf">Token text → id, for <c>tokenizer_config.json</c>'s token strings.</param>
    /// <param name="defaultBos">The tokenizer's own BOS when no file names one.</param>
    /// <param name="defaultEos">The tokenizer's own EOS when no file names one.</param>
    /// <exception cref="InvalidDataException">A file is malformed or names a token the vocabulary lacks.</exception>
    internal static SpecialTokenIds Read(string folder, Func<string, int?> idOf, int? defaultBos, int? defaultEos)
    {
        var sources = new[] { "generation_config.json", "config.json" }
            .Select(name => Path.Combine(folder, name))
            .Select(path => (Path: path, Json: TokenizerFiles.ReadOptional(path)))
            .Where(s => s.Json is not null)
            .ToArray();
        var tokenizerConfigPath = Path.Combine(folder, "tokenizer_config.json");
        var tokenizerConfig = TokenizerFiles.ReadOptional(tokenizerConfigPath);

        int? Single(string idKey, string tokenKey, int? fallback)
        {
            foreach (var (path, json) in sources)
            {
                if (TokenizerFiles.Property(json!.Value, idKey) is { } value)
                    return value.ValueKind == JsonValueKind.Array
                        ? Ids(value, idKey, path) is { Length: > 0 } ids ? ids[0] : null
                        : TokenizerFiles.Id(value, idKey, path);
            }
            return FromTokenizerConfig(tokenKey) ?? fallback;
        }

        IReadOnlyList<int> Many(string idKey, string tokenKey, int? fallback)
        {
            foreach (var (path, json) in sources)
            {
                if (TokenizerFiles.Property(json!.Value, idKey) is { } value)
                    return value.ValueKind == JsonValueKind.Array ? Ids(value, idKey, path) : [TokenizerFiles.Id(value, idKey, path)];
            }
            return (FromTokenizerConfig(tokenKey) ?? fallback) is { } id ? [id] : [];
        }

        int? FromTokenizerConfig(string key)
        {
            if (tokenizerConfig is not { } config || TokenizerFiles.Property(config, key) is not { } value) return null;
            // Either "<s>" or an AddedToken object {"content": "<s>", …}.
            var text = value.ValueKind == JsonValueKind.Object ? TokenizerFiles.String(value, "content", tokenizerConfigPath) : TokenizerFiles.String(config, key, tokenizerConfigPath);
            if (text is null) return null;
            return idOf(text) ?? throw new InvalidDataException($"{tokenizerConfigPath}: {key} \"{text}\" is not a token of the vocabulary.");
        }

        return new SpecialTokenIds(
            Single("bos_token_id", "bos_token", defaultBos),
            Many("eos_token_id", "eos_token", defaultEos),
            Single("pad_token_id", "pad_token", null));
    }

    private static int[] Ids(JsonElement array, string name, string path) =>
        array.EnumerateArray().Select(e => TokenizerFiles.Id(e, name, path)).ToArray();
}
