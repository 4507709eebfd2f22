using System.Text.Json.Nodes;
using AlignLab.Models.Tokenization;

namespace AlignLab.Models.Tests.Tokenization;

/// <summary>Missing, malformed and unsupported tokenizer files: one error that names the file and the problem.</summary>
public sealed class ModelTokenizerErrorTests : IDisposable
{
    private readonly TokenizerFixtures _fixtures = new();

    public void Dispose() => _fixtures.Dispose();

    private static InvalidDataException LoadFails(string folder, string file, string problem)
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelTokenizer.Load(folder));
        Assert.StartsWith(Path.Combine(folder, file) + ":", e.Message);
        Assert.Contains(problem, e.Message);
        return e;
    }

    private string ByteLevelWith(Action<JsonObject> edit)
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "tokenizer.json", edit);
        return folder;
    }

    [Fact]
    public void MissingFolder_IsNamed()
    {
        var folder = Path.Combine(_fixtures.EmptyFolder(), "nope");
        var e = Assert.Throws<DirectoryNotFoundException>(() => ModelTokenizer.Load(folder));
        Assert.Equal($"{folder}: no such folder.", e.Message);
    }

    [Fact]
    public void FolderWithoutTokenizerFiles_SaysWhichFilesItLookedFor()
    {
        var folder = _fixtures.EmptyFolder();
        var e = Assert.Throws<FileNotFoundException>(() => ModelTokenizer.Load(folder));
        Assert.Equal($"{folder}: no tokenizer.json, tokenizer.model or vocab.json + merges.txt.", e.Message);
    }

    [Fact]
    public void TokenizerJsonThatIsNotJson_IsNamed()
    {
        var folder = _fixtures.EmptyFolder();
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), "{\"model\": {\"type\": \"BPE\",");
        LoadFails(folder, "tokenizer.json", "not valid JSON");
    }

    [Fact]
    public void UnigramModel_IsUnsupported() =>
        LoadFails(ByteLevelWith(j => j["model"]!["type"] = "Unigram"), "tokenizer.json", "model type \"Unigram\" is not supported");

    [Fact]
    public void MergeOfAnUnknownToken_IsNamed() =>
        LoadFails(ByteLevelWith(j => j["model"]!["merges"]!.AsArray().Add(new JsonArray("Ġthe", "zzz"))), "tokenizer.json", "zzz");

    [Fact]
    public void MalformedMerge_IsNamedWithItsIndex() =>
        LoadFails(ByteLevelWith(j => j["model"]!["merges"]!.AsArray().Add("onlyone")), "tokenizer.json", "model.merges[5]");

    [Fact]
    public void VocabularyMissingAByte_EncodesTextWithoutIt_AndNamesItInTextThatHasIt()
    {
        var folder = ByteLevelWith(j => j["model"]!["vocab"]!.AsObject().Remove("~"));
        var tokenizer = ModelTokenizer.Load(folder);
        Assert.Equal("hello world", tokenizer.Decode(tokenizer.Encode("hello world")));
        var e = Assert.Throws<ArgumentException>(() => tokenizer.Encode("hello ~world"));
        Assert.StartsWith(Path.Combine(folder, "tokenizer.json") + ":", e.Message);
        Assert.Contains("no token for byte 0x7E", e.Message);
    }

    [Fact]
    public void UnsupportedPreTokenizerBesideByteLevel_IsNamed() =>
        LoadFails(ByteLevelWith(j => j["pre_tokenizer"] = new JsonObject
        {
            ["type"] = "Sequence",
            ["pretokenizers"] = new JsonArray(new JsonObject { ["type"] = "Whitespace" }, new JsonObject { ["type"] = "ByteLevel" }),
        }), "tokenizer.json", "pre_tokenizer \"Whitespace\"");

    [Fact]
    public void AddPrefixSpace_IsUnsupported() =>
        LoadFails(ByteLevelWith(j => j["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = true }),
            "tokenizer.json", "add_prefix_space");

    [Fact]
    public void UnsupportedNormalizer_IsNamed() =>
        LoadFails(ByteLevelWith(j => j["normalizer"] = new JsonObject { ["type"] = "Lowercase" }), "tokenizer.json", "normalizer \"Lowercase\"");

    [Fact]
    public void SentencePieceStyleTokenizerJsonWithoutTokenizerModel_SaysWhatIsMissing() =>
        LoadFails(ByteLevelWith(j => j["pre_tokenizer"] = null), "tokenizer.json", "has no tokenizer.model");

    [Fact]
    public void MalformedMergesTxt_NamesTheLine()
    {
        var folder = _fixtures.EmptyFolder();
        File.WriteAllText(Path.Combine(folder, "vocab.json"), """{"a": 0, "b": 1, "ab": 2}""");
        File.WriteAllText(Path.Combine(folder, "merges.txt"), "#version: 0.2\na b\na b ab\n");
        LoadFails(folder, "merges.txt", "line 3 must be two tokens");
    }

    [Fact]
    public void TruncatedTokenizerModel_IsNamed()
    {
        var folder = _fixtures.EmptyFolder();
        var bytes = File.ReadAllBytes(Path.Combine(TokenizerFixtures.SentencePiece, "tokenizer.model"));
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"), bytes[..(bytes.Length / 2)]);
        LoadFails(folder, "tokenizer.model", "not a readable SentencePiece model");
    }

    [Fact]
    public void EosIdThatIsNotAnId_NamesTheConfigFileAndKey()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        TokenizerFixtures.Edit(folder, "generation_config.json", j => j["eos_token_id"] = "two hundred");
        LoadFails(folder, "generation_config.json", "\"eos_token_id\" must be a non-negative integer token id");
    }

    [Fact]
    public void TokenizerConfigTokenOutsideTheVocabulary_IsNamed()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.SentencePiece);
        TokenizerFixtures.Edit(folder, "tokenizer_config.json", j => j["pad_token"] = "<pad>");
        LoadFails(folder, "tokenizer_config.json", "pad_token \"<pad>\" is not a token of the vocabulary");
    }

    [Fact]
    public void BosRequestedButUnknown_IsAnError()
    {
        var folder = _fixtures.CopyOf(TokenizerFixtures.ByteLevel);
        File.Delete(Path.Combine(folder, "config.json"));
        File.Delete(Path.Combine(folder, "generation_config.json"));
        TokenizerFixtures.Edit(folder, "tokenizer.json", j => j["post_processor"] = null);
        TokenizerFixtures.Edit(folder, "tokenizer_config.json", j => j["add_bos_token"] = true);
        var e = Assert.Throws<InvalidDataException>(() => ModelTokenizer.Load(folder));
        Assert.Contains("puts a BOS token first but no file gives its id", e.Message);
    }
}
