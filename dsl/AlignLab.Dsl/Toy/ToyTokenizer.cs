using System.Text.Json;
using System.Text.Json.Nodes;

namespace AlignLab.Dsl;

/// <summary>
/// The toy language's text form: symbol s is the single character <see cref="Alphabet"/>[s] ('a', 'b', … then 'A' … 'Z',
/// '0' … '9', so up to 62 symbols), written as a Hugging Face <c>tokenizer.json</c> whose byte-level BPE has exactly these
/// characters as its vocabulary (id s ↦ the s-th character) and no merges: every character is its own token, so text over
/// the alphabet and symbol sequences convert exactly both ways. No special tokens: the toy has no BOS, end or padding.
/// </summary>
internal static class ToyTokenizer
{
    /// <summary>The characters of the symbols, in symbol order.</summary>
    public const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>The text of a symbol sequence.</summary>
    public static string Text(IEnumerable<long> symbols) => string.Concat(symbols.Select(s => Alphabet[(int)s]));

    /// <summary>
    /// Writes <c>tokenizer.json</c> and <c>tokenizer_config.json</c> for <paramref name="vocabSize"/> symbols into
    /// <paramref name="folder"/> (<paramref name="maxLength"/>: the model's positions).
    /// </summary>
    public static void Write(string folder, int vocabSize, int maxLength)
    {
        if (vocabSize > Alphabet.Length)
            throw new ArgumentException($"the toy export writes symbols as single characters, at most {Alphabet.Length} (got a vocabulary of {vocabSize}).", nameof(vocabSize));
        var vocab = new JsonObject();
        for (int s = 0; s < vocabSize; s++) vocab[Alphabet[s].ToString()] = s;
        var byteLevel = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["trim_offsets"] = true, ["use_regex"] = true };
        var tokenizer = new JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new JsonArray(),
            ["normalizer"] = null,
            ["pre_tokenizer"] = byteLevel.DeepClone(),
            ["post_processor"] = byteLevel.DeepClone(),
            ["decoder"] = byteLevel.DeepClone(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["dropout"] = null,
                ["unk_token"] = null,
                ["continuing_subword_prefix"] = null,
                ["end_of_word_suffix"] = null,
                ["fuse_unk"] = false,
                ["byte_fallback"] = false,
                ["ignore_merges"] = false,
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(),
            },
        };
        var config = new JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["model_max_length"] = maxLength,
            ["add_bos_token"] = false,
            ["clean_up_tokenization_spaces"] = false,
        };
        var indented = new JsonSerializerOptions { WriteIndented = true };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString(indented));
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(indented));
    }
}
