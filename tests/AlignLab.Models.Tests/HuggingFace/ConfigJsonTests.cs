using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>The strict config reader: keys taken, harmless or refused by name, never ignored.</summary>
public sealed class ConfigJsonTests
{
    private static ConfigJson Of(string json) => new((JsonObject)JsonNode.Parse(json)!, "/models/x/config.json");

    [Fact]
    public void TakenAndHarmlessKeys_Pass_AnyOtherKeyIsRefusedByNameAndFile()
    {
        var json = Of("""{"hidden_size": 32, "torch_dtype": "bfloat16", "attention_dropout": 0.1, "quantization_config": {"bits": 4}}""");
        Assert.Equal(32, json.Int("hidden_size"));
        var e = Assert.Throws<InvalidDataException>(() => json.Finish("llama"));
        Assert.Equal("'/models/x/config.json': quantization_config is not implemented for llama; it may change the model, so the config is refused rather than read without it.", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void NullValues_ReadAsAbsent_AndAnUnknownNullKeyIsTheDefault()
    {
        var json = Of("""{"sliding_window": null, "rope_scaling": null, "something_new": null}""");
        Assert.Null(json.Int("sliding_window"));
        Assert.Null(json.Child("rope_scaling"));
        Assert.False(json.Has("sliding_window"));
        Assert.Contains("sliding_window", json.Keys);
        json.Finish("mistral");
    }

    [Fact]
    public void NestedKeys_AreNamedWithTheirParent_AndNoneIsHarmless()
    {
        var json = Of("""{"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "torch_dtype": "x"}}""");
        var rope = json.Child("rope_scaling")!;
        Assert.Equal("yarn", rope.String("rope_type"));
        Assert.Equal(4.0, rope.Number("factor"));
        Assert.Contains("rope_scaling.torch_dtype is not implemented for yarn", Assert.Throws<InvalidDataException>(() => rope.Finish("yarn")).Message);
        json.Finish("llama");
    }

    [Fact]
    public void WrongTypes_NameTheKeyAndTheValue()
    {
        var json = Of("""{"hidden_size": "32", "eos_token_id": [1, "x"], "n": 2.5, "whole": 3.0}""");
        Assert.Equal("'/models/x/config.json': hidden_size must be an integer (got \"32\").", Assert.Throws<InvalidDataException>(() => json.Int("hidden_size")).Message);
        Assert.Contains("eos_token_id must be a token id or a list of token ids", Assert.Throws<InvalidDataException>(() => json.Ids("eos_token_id")).Message);
        Assert.Contains("n must be an integer (got 2.5)", Assert.Throws<InvalidDataException>(() => json.Int("n")).Message);
        Assert.Equal(3, json.Int("whole"));
        Assert.Contains("vocab_size is missing", Assert.Throws<InvalidDataException>(() => json.RequiredInt("vocab_size")).Message);
    }

    [Fact]
    public void Expect_AcceptsTheComputedValueOrAbsence_AndRefusesAnyOther()
    {
        var json = Of("""{"a": false, "b": null, "c": true}""");
        json.Expect("a", false, "only false is computed");
        json.Expect("b", false, "only false is computed");
        json.Expect("missing", false, "only false is computed");
        Assert.Equal("'/models/x/config.json': c true is not supported (only false is computed).",
            Assert.Throws<InvalidDataException>(() => json.Expect("c", false, "only false is computed")).Message);
    }

    [Fact]
    public void Ids_ReadOneIdOrAList()
    {
        var json = Of("""{"eos_token_id": [1, 107], "bos_token_id": 2}""");
        Assert.Equal([1L, 107L], json.Ids("eos_token_id"));
        Assert.Equal(2L, json.Id("bos_token_id"));
        Assert.Equal([2L], json.Ids("bos_token_id"));
    }

    [Fact]
    public void Open_NamesAMissingFileAndMalformedJson()
    {
        var dir = Directory.CreateTempSubdirectory("alignlab-configjson-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.json");
            Assert.Throws<FileNotFoundException>(() => ConfigJson.Open(path));
            File.WriteAllText(path, "{ not json");
            Assert.StartsWith($"'{path}' is not valid JSON", Assert.Throws<InvalidDataException>(() => ConfigJson.Open(path)).Message);
            File.WriteAllText(path, "[1, 2]");
            Assert.Equal($"'{path}' is not a JSON object.", Assert.Throws<InvalidDataException>(() => ConfigJson.Open(path)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
