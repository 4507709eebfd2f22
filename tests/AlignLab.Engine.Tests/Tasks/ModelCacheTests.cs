using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Tasks;
using AlignLab.Models.HuggingFace;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Tasks;

public sealed class ModelCacheTests : IDisposable
{
    private static readonly TinyGptConfig Config = new(VocabSize: 5, PromptLength: 2, DModel: 8, Heads: 2, Layers: 1, MaxLength: 5);

    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-cache-").FullName;
    private int _builds;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string EntryPath => Path.Combine(_dir, "entry.safetensors");

    private TinyGpt LoadOrBuild() => ModelCache.LoadOrBuild(EntryPath, Config, c => new TinyGpt(c), () =>
    {
        _builds++;
        return new TinyGpt(Config);
    });

    [Fact]
    public void IntactEntry_IsLoaded_BitForBit_WithoutRebuildOrReport()
    {
        var reports = new List<DamagedCacheEntry>();
        using var _ = ModelCache.ReportDamaged(reports.Add);
        using var built = LoadOrBuild();
        using var loaded = LoadOrBuild();
        Assert.Equal((1, 0), (_builds, reports.Count));
        foreach (var (name, weight) in built.state_dict())
            Assert.True(weight.eq(loaded.state_dict()[name]).all().item<bool>(), name);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "truncated", "not a valid safetensors file" },
        { "bad header", "not a valid safetensors file" },
        { "flipped bytes", "does not match its hash" },
        { "NaN weights", "does not match its hash" },
        { "weights scaled by 1.5", "does not match its hash" },
        { "another config", "holds another config than its name says" },
        { "no hash", "it has no content hash" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void DamagedEntry_IsReportedWithItsPath_MovedAside_AndRebuilt(string damage, string reason)
    {
        LoadOrBuild().Dispose();
        Damage(EntryPath, damage);
        byte[] damaged = File.ReadAllBytes(EntryPath);

        var reports = new List<DamagedCacheEntry>();
        using (ModelCache.ReportDamaged(reports.Add))
        {
            using var rebuilt = LoadOrBuild();
            Assert.Equal(2, _builds);
            var report = Assert.Single(reports);
            Assert.Equal(EntryPath, report.Path);
            Assert.Contains(reason, report.Reason);
            Assert.DoesNotContain(EntryPath, report.Reason); // the path is named once, by the report
            Assert.Equal(damaged, File.ReadAllBytes(report.MovedTo!)); // kept for inspection, untouched
            Assert.StartsWith(EntryPath + ".damaged-", report.MovedTo);

            // The rebuilt entry is intact: the next load uses it.
            using var again = LoadOrBuild();
            Assert.Equal((2, 1), (_builds, reports.Count));
            foreach (var (name, weight) in rebuilt.state_dict())
                Assert.True(weight.eq(again.state_dict()[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public async Task Reports_GoOnlyToHandlersOfTheirOwnFlow_AndStopOnDispose()
    {
        LoadOrBuild().Dispose();
        var mine = new List<DamagedCacheEntry>();
        var registration = ModelCache.ReportDamaged(mine.Add);
        var elsewhere = new List<DamagedCacheEntry>();
        // A handler registered on another flow (another in-process run) does not hear this flow's damage.
        await Task.Run(() => { _ = ModelCache.ReportDamaged(elsewhere.Add); });
        Damage(EntryPath, "truncated");
        LoadOrBuild().Dispose();
        registration.Dispose();
        Damage(EntryPath, "truncated");
        LoadOrBuild().Dispose();
        Assert.Single(mine);
        Assert.Empty(elsewhere);
        Assert.Equal(3, _builds);
    }

    [Fact]
    public void BuiltModelWithNonFiniteWeights_IsNotCached()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ModelCache.LoadOrBuild(EntryPath, Config, c => new TinyGpt(c), () =>
        {
            var model = new TinyGpt(Config);
            using (no_grad()) model.state_dict()[FirstWeight(model.state_dict())].view(-1)[0] = float.NaN;
            return model;
        }));
        Assert.Contains($"non-finite weights in '{FirstWeight(new TinyGpt(Config).state_dict())}'", error.Message);
        Assert.False(File.Exists(EntryPath));
    }

    private static string FirstWeight(IReadOnlyDictionary<string, Tensor> tensors) =>
        tensors.Keys.Order(StringComparer.Ordinal).First(k => tensors[k].is_floating_point());

    private static void Damage(string path, string damage)
    {
        byte[] bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case "truncated":
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "bad header":
                BitConverter.GetBytes(ulong.MaxValue / 3).CopyTo(bytes, 0);
                File.WriteAllBytes(path, bytes);
                break;
            case "flipped bytes":
                bytes[^5] ^= 0x10;
                bytes[^300] ^= 0x01;
                File.WriteAllBytes(path, bytes);
                break;
            default:
                Rewrite(path, damage);
                break;
        }
    }

    /// <summary>Rewrites a valid file with changed weights or metadata, keeping everything else (the stored hash too).</summary>
    private static void Rewrite(string path, string damage)
    {
        Dictionary<string, Tensor> tensors;
        Dictionary<string, string> metadata;
        using (var file = SafeTensors.Read(path))
        {
            tensors = file.Tensors.ToDictionary(kv => kv.Key, kv => kv.Value.clone());
            metadata = new Dictionary<string, string>(file.Metadata);
        }
        string name = FirstWeight(tensors);
        switch (damage)
        {
            case "NaN weights":
                tensors[name].view(-1)[1] = float.NaN;
                break;
            case "weights scaled by 1.5":
                foreach (var key in tensors.Keys.Where(k => tensors[k].is_floating_point()).ToList()) tensors[key] = tensors[key] * 1.5;
                break;
            case "another config":
                metadata[Checkpoint.ConfigKey] = metadata[Checkpoint.ConfigKey].Replace("\"MaxLength\":5", "\"MaxLength\":6", StringComparison.Ordinal);
                break;
            case "no hash":
                metadata.Remove(ModelCache.ContentHashKey);
                break;
        }
        SafeTensors.Write(path, tensors, metadata);
        foreach (var t in tensors.Values) t.Dispose();
    }
}
