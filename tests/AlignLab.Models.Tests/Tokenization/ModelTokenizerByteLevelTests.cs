using System.Text.Json.Nodes;
using AlignLab.Models.Tokenization;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// The tiny Llama-3-shaped byte-level fixture: ids 0–255 are the bytes, then the merges Ġ+t → 256, h+e → 257,
/// Ġt+he → 258, l+o → 259, lo+w → 260, the unmerged entry "Ġworld" → 261, and the added tokens
/// &lt;|begin_of_text|&gt; 262, &lt;|end_of_text|&gt; 263, &lt;|eot_id|&gt; 264, "␣␣" 265, "␣␣␣" 266. Every expected id below is worked out by hand.
/// </summary>
public sealed class ModelTokenizerByteLevelTests : IDisposable
{
    private readonly TokenizerFixtures _fixtures = new();
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.Load(TokenizerFixtures.ByteLevel);

    public void Dispose() => _fixtures.Dispose();

    [Theory]
    [InlineData("the", new[] { 116, 257 })]            // t | h+e; no merge joins t with he
    [InlineData(" the", new[] { 258 })]                // Ġ+t, h+e, Ġt+he by rank
    [InlineData("low", new[] { 260 })]
    [InlineData(" world", new[] { 261 })]              // ignore_merges: the piece is a vocabulary entry
    [InlineData("Hello world", new[] { 72, 101, 108, 259, 261 })]
    [InlineData("a  b", new[] { 97, 265, 98 })]        // added tokens are cut out before pre-tokenization
    [InlineData("a   b", new[] { 97, 266, 98 })]       // the longest added token wins
    [InlineData("a    b", new[] { 97, 266, 32, 98 })]
    [InlineData("x<|eot_id|>", new[] { 120, 264 })]
    [InlineData("e\u0301", new[] { 0xC3, 0xA9 })]       // NFC first: e + combining acute = é, two UTF-8 bytes
    public void Encode_GivesTheHandComputedIds(string text, int[] expected) =>
        Assert.Equal(expected, _tokenizer.Encode(text));

    [Fact]
    public void Folder_GivesKindSizeSpecialIdsAndTheTemplateBos()
    {
        Assert.Equal(TokenizerKind.ByteLevelBpe, _tokenizer.Kind);
        Assert.Equal(267, _tokenizer.VocabularySize);
        Assert.Equal(262, _tokenizer.SpecialIds.Bos);
        Assert.Equal([263, 264], _tokenizer.SpecialIds.Eos); // generation_config.json's list beats config.json's 263
        Assert.Null(_tokenizer.SpecialIds.Pad);
        Assert.True(_tokenizer.AddsBos);                       // the TemplateProcessing post-processor puts it first
        Assert.Equal([262, 258], _tokenizer.EncodePrompt(" the"));
        Assert.Equal([258], _tokenizer.Encode(" the"));
    }

    [Theory]
    [InlineData("Hello world")]
    [InlineData("  two leading spaces, two  inner, and trailing  ")]
    [InlineData("line one\nline two\r\n\n\ttabbed")]
    [InlineData("unicode: café, 東京, Здравствуйте, emoji 🙂👍🏽")]
    [InlineData("<|begin_of_text|>the<|eot_id|> low<|end_of_text|>")]
    [InlineData("numbers 12345 and 3.14")]
    public void DecodeOfEncode_GivesTheTextBack(string text) =>
        Assert.Equal(text, _tokenizer.Decode(_tokenizer.Encode(text)));

    [Fact]
    public void DecodeWithoutSpecialTokens_KeepsNonSpecialAddedTokens()
    {
        var ids = _tokenizer.EncodePrompt("a   b<|eot_id|>");
        Assert.Equal([262, 97, 266, 98, 264], ids);
        Assert.Equal("<|begin_of_text|>a   b<|eot_id|>", _tokenizer.Decode(ids));
        Assert.Equal("a   b", _tokenizer.DecodeWithoutSpecialTokens(ids));
    }

    [Fact]
    public void WithoutIgnoreMerges_APieceIsMergedFromItsBytes()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "tokenizer.json", j => j["model"]!["ignore_merges"] = false);
        Assert.Equal([32, 119, 111, 114, 108, 100], ModelTokenizer.Load(folder).Encode(" world"));
    }

    [Fact]
    public void MergesWrittenAsStrings_ReadLikeMergesWrittenAsPairs()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "tokenizer.json", j =>
        {
            var pairs = j["model"]!["merges"]!.AsArray().Select(m => (JsonNode)$"{m![0]} {m[1]}").ToArray();
            j["model"]!["merges"] = new JsonArray(pairs);
        });
        var tokenizer = ModelTokenizer.Load(folder);
        Assert.Equal(_tokenizer.Encode("Hello the low world"), tokenizer.Encode("Hello the low world"));
    }

    [Fact]
    public void TokenizerConfig_OverridesTheTemplateAndNamesThePadToken()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "tokenizer_config.json", j =>
        {
            j["add_bos_token"] = false;
            j["pad_token"] = new JsonObject { ["content"] = "<|end_of_text|>", ["special"] = true };
        });
        var tokenizer = ModelTokenizer.Load(folder);
        Assert.False(tokenizer.AddsBos);
        Assert.Equal(263, tokenizer.SpecialIds.Pad);
        Assert.Equal([258], tokenizer.EncodePrompt(" the"));
    }

    [Theory]
    [InlineData("lstrip", "x <|eot_id|> y", new[] { 120, 264, 32, 121 })]        // the space before it goes with it
    [InlineData("rstrip", "x <|eot_id|> y", new[] { 120, 32, 264, 121 })]        // the space after it goes with it
    [InlineData("single_word", "x<|eot_id|> y", new[] { 120, 60, 124, 101, 111, 116, 95, 105, 100, 124, 62, 32, 121 })] // touches a word: text
    [InlineData("single_word", "x <|eot_id|> y", new[] { 120, 32, 264, 32, 121 })]
    public void AddedTokenFlags_DecideWhatTheMatchTakes(string flag, string text, int[] expected)
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "tokenizer.json", j =>
            j["added_tokens"]!.AsArray().Single(t => (string)t!["content"]! == "<|eot_id|>")![flag] = true);
        Assert.Equal(expected, ModelTokenizer.Load(folder).Encode(text));
    }

    [Fact]
    public void TokenOfAndIdOf_UseTheFilesSpelling()
    {
        Assert.Equal("Ġthe", _tokenizer.TokenOf(258));
        Assert.Equal(258, _tokenizer.IdOf("Ġthe"));
        Assert.Equal(264, _tokenizer.IdOf("<|eot_id|>"));
        Assert.Null(_tokenizer.IdOf("the"));
        Assert.Null(_tokenizer.TokenOf(267));
    }
}
