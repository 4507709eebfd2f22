using System.Text.Json;
using AlignLab.Models.Tokenization;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// The tiny SentencePiece fixture (byte-fallback BPE with Llama-2's normaliser settings), checked against the ids that
/// the reference SentencePiece library gave for the same texts (expected.json).
/// </summary>
public sealed class ModelTokenizerSentencePieceTests : IDisposable
{
    private readonly TokenizerFixtures _fixtures = new();
    private readonly ModelTokenizer _tokenizer = ModelTokenizer.Load(TokenizerFixtures.SentencePiece);

    public void Dispose() => _fixtures.Dispose();

    public static TheoryData<string, int[]> ReferenceCases()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TokenizerFixtures.SentencePiece, "expected.json")));
        var data = new TheoryData<string, int[]>();
        foreach (var c in expected.RootElement.GetProperty("cases").EnumerateArray())
            data.Add(c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void Encode_MatchesTheSentencePieceLibrary(string text, int[] expected) =>
        Assert.Equal(expected, _tokenizer.Encode(text));

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void DecodeOfEncode_GivesTheTextBack(string text, int[] _) =>
        Assert.Equal(text, _tokenizer.Decode(_tokenizer.Encode(text)));

    [Fact]
    public void Folder_GivesKindSizeAndTheModelsOwnControlIds()
    {
        Assert.Equal(TokenizerKind.SentencePiece, _tokenizer.Kind);
        Assert.Equal(384, _tokenizer.VocabularySize);
        Assert.Equal(1, _tokenizer.SpecialIds.Bos);
        Assert.Equal([2], _tokenizer.SpecialIds.Eos);
        Assert.Null(_tokenizer.SpecialIds.Pad);
        Assert.True(_tokenizer.AddsBos); // the Llama tokenizers' default
        Assert.Equal([1, .. _tokenizer.Encode("x")], _tokenizer.EncodePrompt("x"));
        Assert.Equal("<0x0A>", _tokenizer.TokenOf(13)); // byte fallback pieces for characters the model never saw
    }

    [Theory]
    [InlineData("Hello</s>world")]
    [InlineData("<s>the best</s> of n")]
    [InlineData("</s>")]
    public void ControlTokensInTheText_AreTheirIds_AndRoundTrip(string text)
    {
        var ids = _tokenizer.Encode(text);
        Assert.Equal(text.Split("</s>").Length - 1, ids.Count(id => id == 2));
        Assert.Equal(text, _tokenizer.Decode(ids));
        Assert.Equal(text.Replace("<s>", "").Replace("</s>", ""), _tokenizer.DecodeWithoutSpecialTokens(ids));
    }

    [Fact]
    public void SentencePieceStyleTokenizerJson_DefersToTokenizerModel_AndGivesItsAddedTokens()
    {
        // Mistral's shape: a Metaspace pre-tokenizer and a byte-fallback BPE; only tokenizer.model is read for the model.
        var folder = _fixtures.CopyOf(TokenizerFixtures.SentencePiece);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), """
            {"added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                              {"id": 2, "content": "</s>", "special": true}, {"id": 383, "content": "[INST]", "special": true}],
             "normalizer": null,
             "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false},
             "model": {"type": "BPE", "byte_fallback": true, "vocab": {}, "merges": []}}
            """);
        var tokenizer = ModelTokenizer.Load(folder);
        Assert.Equal(TokenizerKind.SentencePiece, tokenizer.Kind);
        Assert.EndsWith("tokenizer.model", tokenizer.SourceFile);
        Assert.Equal(_tokenizer.Encode("the best of n"), tokenizer.Encode("the best of n"));
        Assert.Equal(383, tokenizer.Encode("[INST]")[0]);
        Assert.Equal([0, 1, 2, 383], tokenizer.AddedTokens.Select(t => t.Id));
    }

    [Fact]
    public void ConfigFiles_OverrideTheModelsIds()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.SentencePiece);
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"),
            """{"add_bos_token": false, "bos_token": "<s>", "eos_token": {"content": "</s>"}, "pad_token": "<unk>"}""");
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"eos_token_id": [2, 13]}""");
        var tokenizer = ModelTokenizer.Load(folder);
        Assert.False(tokenizer.AddsBos);
        Assert.Equal(tokenizer.Encode("x"), tokenizer.EncodePrompt("x"));
        Assert.Equal([2, 13], tokenizer.SpecialIds.Eos);
        Assert.Equal(0, tokenizer.SpecialIds.Pad);
    }
}
