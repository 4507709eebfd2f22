using System.Text.Json.Nodes;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tests.Families;

namespace AlignLab.Models.Tests.HuggingFace;

/// <summary>
/// <see cref="HuggingFaceFolder.Inspect"/> (config.json and safetensors headers only) against the loaded model: the
/// parameter count equals <c>parameters()</c> of the model <see cref="HuggingFaceFolder.Load"/> or
/// <see cref="HuggingFaceFolder.LoadRewardModel"/> builds, for tied and untied heads, single files and shards.
/// </summary>
public sealed class HuggingFaceFolderInspectTests : IDisposable
{
    private static readonly string FixtureRoot = Path.Combine(AppContext.BaseDirectory, "Fixtures", "hf");

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-hf-inspect-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The weight files as the folder names them: model.safetensors, or the index's shards.
    private static string[] WeightFiles(string folder)
    {
        var index = Path.Combine(folder, HuggingFaceFolder.IndexFile);
        if (!File.Exists(index)) return [HuggingFaceFolder.WeightsFile];
        var map = JsonNode.Parse(File.ReadAllText(index))!["weight_map"]!.AsObject();
        return [.. map.Select(kv => kv.Value!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal)];
    }

    private static Dictionary<string, SafeTensorsEntry> Headers(string folder)
    {
        var entries = new Dictionary<string, SafeTensorsEntry>();
        foreach (var file in WeightFiles(folder))
        {
            using var reader = SafeTensorsReader.Open(Path.Combine(folder, file));
            foreach (var (name, entry) in reader.Entries) entries.Add(name, entry);
        }
        return entries;
    }

    private static void AssertFilesAndDtype(string name, string folder, HuggingFaceFolderInfo info)
    {
        var files = WeightFiles(folder);
        Assert.Equal(files, info.Files);
        Assert.Equal(files.Sum(f => new FileInfo(Path.Combine(folder, f)).Length), info.BytesOnDisk);
        Assert.Equal([name.Contains("bf16") ? "BF16" : name.Contains("f16") ? "F16" : "F32"], info.Dtypes);
    }

    [Theory]
    [MemberData(nameof(HuggingFaceFixtureTests.Fixtures), MemberType = typeof(HuggingFaceFixtureTests))]
    public void LanguageModel_CountsTheLoadedModelsParameters(string name)
    {
        var folder = Path.Combine(FixtureRoot, name);
        var info = HuggingFaceFolder.Inspect(folder);
        using var model = HuggingFaceFolder.Load(folder);
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.Parameters);
        Assert.Equal(model.ModelConfig.ToJson().ToJsonString(), info.Config.ToJson().ToJsonString());
        Assert.Null(info.Labels);
        AssertFilesAndDtype(name, folder, info);
    }

    [Theory]
    [MemberData(nameof(RewardModelFixtureTests.Fixtures), MemberType = typeof(RewardModelFixtureTests))]
    public void RewardModel_CountsTheLoadedClassifiersParameters_AndItsLabel(string name)
    {
        var folder = Path.Combine(FixtureRoot, name);
        var info = HuggingFaceFolder.Inspect(folder);
        using var model = HuggingFaceFolder.LoadRewardModel(folder);
        Assert.Equal(model.parameters().Sum(p => p.numel()), info.Parameters);
        Assert.Equal(1, info.Labels);
        Assert.EndsWith("ForSequenceClassification", Assert.Single(info.Architectures));
        AssertFilesAndDtype(name, folder, info);
    }

    [Fact]
    public void TiedHeadCopyAndBuffers_AreSkipped_AnUntiedHeadIsCounted()
    {
        // GPT-2 shards carrying the tied head's copy (lm_head.weight) and the causal-mask buffers (attn.bias, attn.masked_bias):
        // none is a parameter.
        var tied = Path.Combine(FixtureRoot, "gpt2-bf16-prefixed-sharded");
        var headers = Headers(tied);
        var skipped = headers.Values.Where(e => e.Name == "lm_head.weight" || e.Name.EndsWith(".attn.bias") || e.Name.EndsWith(".attn.masked_bias")).ToArray();
        Assert.Equal(5, skipped.Length);
        Assert.Equal(headers.Values.Sum(e => e.ElementCount) - skipped.Sum(e => e.ElementCount), HuggingFaceFolder.Inspect(tied).Parameters);

        // An untied Llama's lm_head is its own matrix and counts; only the rotary buffers (rotary_emb.inv_freq) do not.
        var untied = Path.Combine(FixtureRoot, "llama-gqa-f16");
        var weights = Headers(untied).Values.Where(e => !e.Name.EndsWith("rotary_emb.inv_freq")).ToArray();
        Assert.Contains(weights, e => e.Name == "lm_head.weight");
        Assert.Equal(weights.Sum(e => e.ElementCount), HuggingFaceFolder.Inspect(untied).Parameters);
    }

    [Fact]
    public void ClassifierWithSeveralLabels_IsInspected_ButNotAReward()
    {
        var folder = Path.Combine(_dir, "three-labels");
        Directory.CreateDirectory(folder);
        foreach (var f in Directory.GetFiles(Path.Combine(FixtureRoot, "llama-reward-f32"))) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "config.json")))!.AsObject();
        config.Remove("id2label");
        config.Remove("label2id");
        config["num_labels"] = 3;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        Assert.Equal(3, HuggingFaceFolder.Inspect(folder).Labels);
        Assert.Contains("has 3 labels", Assert.Throws<InvalidDataException>(() => HuggingFaceFolder.LoadRewardModel(folder)).Message);
    }

    [Fact]
    public void BadFolders_FailAsLoadFails()
    {
        var missing = Path.Combine(_dir, "nope");
        Assert.Contains($"model folder '{missing}' does not exist", Assert.Throws<DirectoryNotFoundException>(() => HuggingFaceFolder.Inspect(missing)).Message);
        var sharded = Path.Combine(_dir, "sharded");
        Directory.CreateDirectory(sharded);
        foreach (var f in Directory.GetFiles(Path.Combine(FixtureRoot, "llama-tied-bf16-sharded"))) File.Copy(f, Path.Combine(sharded, Path.GetFileName(f)));
        File.Delete(Path.Combine(sharded, "model-00002-of-00003.safetensors"));
        Assert.Contains("lists shard 'model-00002-of-00003.safetensors', which does not exist", Assert.Throws<InvalidDataException>(() => HuggingFaceFolder.Inspect(sharded)).Message);
        File.Delete(Path.Combine(sharded, "config.json"));
        Assert.Contains("no config.json", Assert.Throws<FileNotFoundException>(() => HuggingFaceFolder.Inspect(sharded)).Message);
    }
}
