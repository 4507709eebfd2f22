using AlignLab.Models.Tokenization;
using Microsoft.ML.Tokenizers;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>
/// GPT-2's real vocabulary read through <see cref="ModelTokenizer"/> from a Hugging Face <c>tokenizer.json</c>,
/// checked against known ids and against the library's independent tiktoken implementation of the same encoding.
/// </summary>
public sealed class ModelTokenizerGpt2Tests(Gpt2FolderFixture fixture) : IClassFixture<Gpt2FolderFixture>
{
    private readonly ModelTokenizer _tokenizer = fixture.Tokenizer;

    public static TheoryData<string> Texts =>
    [
        "Hello world",
        " leading space",
        "two  spaces,   three and trailing   ",
        "line one\nline two\n\n\ttabbed\r\nwindows",
        "unicode: café, naïve, Ærøskøbing, 東京, Здравствуйте",
        "emoji 🙂👍🏽 and a lone combining mark e\u0301",
        "it's, we'll, they've, I'M, don't",
        "numbers 3.14159 and 1,000,000 and 2026-11-25",
        "code: for (int i = 0; i < n; i++) { x[i] += 1; }",
        "<|endoftext|>after the end token<|endoftext|>",
        "",
    ];

    [Fact]
    public void HelloWorld_EncodesToGpt2Ids()
    {
        Assert.Equal([15496, 995], _tokenizer.Encode("Hello world"));
        Assert.Equal("Hello", _tokenizer.Decode([15496]));
        Assert.Equal("Ġworld", _tokenizer.TokenOf(995));
    }

    [Fact]
    public void Folder_GivesGpt2SizeAndSpecialIds()
    {
        Assert.Equal(50_000, fixture.Folder.MergeCount);
        Assert.Equal(TokenizerKind.ByteLevelBpe, _tokenizer.Kind);
        Assert.Equal(50_257, _tokenizer.VocabularySize);
        Assert.Equal(Gpt2Folder.EndOfText, _tokenizer.SpecialIds.Bos);
        Assert.Equal([Gpt2Folder.EndOfText], _tokenizer.SpecialIds.Eos);
        Assert.Null(_tokenizer.SpecialIds.Pad);
        Assert.False(_tokenizer.AddsBos); // GPT-2's tokenizer adds nothing
        Assert.Equal(_tokenizer.Encode("Hello world"), _tokenizer.EncodePrompt("Hello world"));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Encode_MatchesTiktokenGpt2(string text)
    {
        var tiktoken = TiktokenTokenizer.CreateForModel("gpt2");
        Assert.Equal(tiktoken.EncodeToIds(text), _tokenizer.Encode(text));
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void DecodeOfEncode_GivesTheTextBack(string text) =>
        Assert.Equal(text, _tokenizer.Decode(_tokenizer.Encode(text)));

    [Theory]
    [MemberData(nameof(Texts))]
    public void VocabJsonAndMergesTxt_EncodeLikeTokenizerJson(string text)
    {
        var slow = fixture.SlowTokenizer;
        Assert.Equal(_tokenizer.Encode(text), slow.Encode(text));
        Assert.Equal(text, slow.Decode(slow.Encode(text)));
    }

    [Fact]
    public void VocabJsonAndMergesTxt_GiveTheSpecialTokenAndIds()
    {
        var slow = fixture.SlowTokenizer;
        Assert.EndsWith("vocab.json", slow.SourceFile);
        Assert.Equal(50_257, slow.VocabularySize);
        Assert.Equal([Gpt2Folder.EndOfText], slow.SpecialIds.Eos);
        Assert.False(slow.AddsBos);
        Assert.Equal([Gpt2Folder.EndOfText], slow.AddedTokens.Select(t => t.Id));
        Assert.True(slow.AddedTokens[0].Special);
    }

    [Fact]
    public void EndOfTextInTheText_IsOneSpecialToken_AndCanBeLeftOutWhenDecoding()
    {
        var ids = _tokenizer.Encode("a<|endoftext|>b");
        Assert.Equal([64, Gpt2Folder.EndOfText, 65], ids);
        Assert.Equal("ab", _tokenizer.DecodeWithoutSpecialTokens(ids));
    }

    [Fact]
    public void Decode_OfAByteSplitAcrossTokens_JoinsTheBytes()
    {
        // "🙂" is four UTF-8 bytes that GPT-2 spells with more than one token: only their concatenation is the character.
        var ids = _tokenizer.Encode("🙂");
        Assert.True(ids.Count > 1);
        Assert.Equal("🙂", _tokenizer.Decode(ids));
    }

    [Fact]
    public void Decode_OfAnIdOutsideTheVocabulary_NamesTheId()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _tokenizer.Decode([15496, 50257]));
        Assert.Contains("token id 50257", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => _tokenizer.Decode([-1]));
    }
}

/// <summary>One GPT-2 folder and tokenizer for the whole test class (building the merges takes about a second).</summary>
public sealed class Gpt2FolderFixture : IDisposable
{
    public Gpt2FolderFixture()
    {
        Folder = new Gpt2Folder();
        Tokenizer = ModelTokenizer.Load(Folder.Path);
        SlowTokenizer = ModelTokenizer.Load(Folder.SlowPath);
    }

    public ModelTokenizer SlowTokenizer { get; }

    public Gpt2Folder Folder { get; }

    public ModelTokenizer Tokenizer { get; }

    public void Dispose() => Folder.Dispose();
}
