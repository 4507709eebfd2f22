using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Training;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Lora;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tests.Training;

/// <summary>
/// Checkpoints of a LoRA run on a tiny GPT-2 hold what training changes (adapters, AdamW moments, rng) and a fingerprint of
/// the frozen base: resumes are exact, a changed base is refused, and checkpoints that hold the whole state_dict still resume.
/// </summary>
public sealed class TrainerFrozenWeightsTests : IDisposable
{
    private static readonly TinyGptConfig Gpt = new(VocabSize: 11, PromptLength: 3, DModel: 64, Heads: 4, Layers: 2, MaxLength: 8);
    private const int Steps = 8;

    private readonly string folder = Directory.CreateTempSubdirectory("alignlab-frozen-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string CheckpointFile => Path.Combine(folder, "ckpt", Trainer.CheckpointFileName);

    private TrainerConfig Config(bool checkpoints = true) => new(
        Steps: Steps, LearningRate: 0.02, WarmupSteps: 2, Schedule: LearningRateSchedule.Cosine, LogEvery: 1,
        CheckpointEvery: checkpoints ? 4 : 0, CheckpointDirectory: checkpoints ? Path.Combine(folder, "ckpt") : null, Seed: 3);

    /// <summary>The same base weights and adapter initialisation every call, as a process resuming the run would build them.</summary>
    private static (TinyGpt Model, IAlignmentMethod Method) LoraSft()
    {
        manual_seed(7);
        var model = new TinyGpt(Gpt);
        LoraAdapters.Apply(model, new LoraConfig(Rank: 2, Alpha: 4));
        var prompts = randint(0, Gpt.VocabSize, [6, Gpt.PromptLength], dtype: ScalarType.Int64);
        var responses = randint(0, Gpt.VocabSize, [6, Gpt.MaxLength - Gpt.PromptLength], dtype: ScalarType.Int64);
        return (model, new SftMethod(model, prompts, responses, new SftConfig(BatchSize: 4)));
    }

    private static Dictionary<string, float[]> Weights(nn.Module model) =>
        model.state_dict().ToDictionary(e => e.Key, e => e.Value.data<float>().ToArray());

    /// <summary>Trains to step 4 (the first checkpoint) and is killed at step 6, as a crashed process.</summary>
    private void Interrupted()
    {
        var (_, method) = LoraSft();
        Assert.Throws<OperationCanceledException>(() => new Trainer(Config()).Run(method, p => { if (p.Step == 6) throw new OperationCanceledException(); }));
        Assert.Equal(4, Trainer.CheckpointStep(Path.GetDirectoryName(CheckpointFile)!));
    }

    private static Dictionary<string, float[]> Uninterrupted(TrainerConfig config)
    {
        var (model, method) = LoraSft();
        new Trainer(config).Run(method);
        return Weights(model);
    }

    [Fact]
    public void LoraCheckpoint_HoldsOnlyAdaptersOptimiserAndRng_AndTheResumeEqualsTheUninterruptedRun()
    {
        var straight = Uninterrupted(Config(checkpoints: false));
        Interrupted();

        var (model, _) = LoraSft();
        var adapters = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(4 * Gpt.Layers * 2, adapters.Count); // lora_a and lora_b of four linear layers per block
        var expectedNames = adapters.Select(n => "module." + n)
            .Concat(Enumerable.Range(0, adapters.Count).SelectMany(i => new[] { $"adamw.m.{i}", $"adamw.v.{i}" }))
            .Append("rng").Order(StringComparer.Ordinal);
        long modelBytes = model.parameters().Sum(p => p.numel() * p.element_size());
        long adapterBytes = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel() * p.element_size());
        using (var file = SafeTensors.Read(CheckpointFile))
        {
            Assert.Equal(expectedNames, file.Tensors.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(3 * adapterBytes, file.Tensors.Where(t => t.Key != "rng").Sum(t => t.Value.numel() * t.Value.element_size()));
            var frozen = FrozenWeightsFingerprint.Parse(file.Metadata["frozen_weights"], CheckpointFile);
            Assert.Equal(model.named_parameters().Count() - adapters.Count, frozen.Tensors.Count);
            Assert.Equal(model.parameters().Where(p => !p.requires_grad).Sum(p => p.numel()), frozen.Elements);
        }
        // Weights, moments and the header: a fraction of the model (about 1/8 of it here, about 1/100 for GPT-2 124M at rank 8).
        Assert.True(new FileInfo(CheckpointFile).Length < modelBytes / 4, $"checkpoint {new FileInfo(CheckpointFile).Length} B, model {modelBytes} B");

        var (resumedModel, resumedMethod) = LoraSft();
        var result = new Trainer(Config()).Run(resumedMethod);
        Assert.Equal(4, result.ResumedFromStep);
        Assert.Empty(result.ConfigChanges);
        var resumed = Weights(resumedModel);
        Assert.Equal(straight.Keys, resumed.Keys);
        foreach (var (name, values) in straight) Assert.Equal(values, resumed[name]);
        Assert.Contains(straight, e => e.Key.Contains("lora_b") && e.Value.Any(v => v != 0)); // the adapters did train
    }

    [Fact]
    public void ResumeOnChangedFrozenWeights_IsRefusedNamingTheTensor_UnlessAllowed()
    {
        Interrupted();
        const string changed = "transformer.h.1.mlp.c_fc.base.weight";

        var (model, method) = LoraSft();
        using (no_grad()) model.state_dict()[changed].mul_(1.01f);
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(Config()).Run(method));
        Assert.StartsWith($"Cannot resume from checkpoint '{CheckpointFile}': the frozen weights differ from those it was trained on (1 tensor): frozen.{changed} is \"float32 [256, 64] ", e.Message);
        Assert.Contains("Load the weights and use the settings the checkpoint was trained with, set AllowConfigChange", e.Message);
        Assert.Equal([$"frozen.{changed}"], e.Differences.Select(d => d.Field));
        Assert.Equal(4, Trainer.CheckpointStep(Path.GetDirectoryName(CheckpointFile)!)); // left untouched

        // Another architecture's frozen part: every tensor named, the message stays one bounded line.
        var (other, otherMethod) = LoraSft();
        foreach (var (name, p) in other.named_parameters().Where(p => !p.parameter.requires_grad && p.name.Contains(".h.")))
            using (no_grad()) p.add_(1);
        var many = Assert.Throws<IncompatibleResumeException>(() => new Trainer(Config()).Run(otherMethod));
        Assert.Equal(2 * 12, many.Differences.Count); // 12 frozen tensors per block
        Assert.Contains("(24 tensors)", many.Message);
        Assert.Contains(" and 18 more)", many.Message);

        var (allowedModel, allowedMethod) = LoraSft();
        using (no_grad()) allowedModel.state_dict()[changed].mul_(1.01f);
        var allowed = new Trainer(Config() with { AllowConfigChange = true }).Run(allowedMethod);
        Assert.Equal(4, allowed.ResumedFromStep);
        Assert.Equal([$"frozen.{changed}"], allowed.ConfigChanges.Select(d => d.Field));
        // The later checkpoint records the weights it continued on, so resuming it on them again is no change.
        using var file = SafeTensors.Read(CheckpointFile);
        Assert.Equal(FrozenWeightsFingerprint.Of(allowedModel.named_parameters().Where(p => !p.parameter.requires_grad)
            .Select(p => KeyValuePair.Create(p.name, (Tensor)p.parameter))).ToJson(), file.Metadata["frozen_weights"]);
    }

    [Fact]
    public void OldCheckpointWithTheWholeStateDict_StillResumesExactly_AndItsFrozenCopiesAreChecked()
    {
        var straight = Uninterrupted(Config(checkpoints: false));
        Interrupted();
        // Rewrite the checkpoint as an AlignLab that saved the whole state_dict wrote it: frozen tensors in, no fingerprint.
        var (stale, _) = LoraSft();
        using (var file = SafeTensors.Read(CheckpointFile))
        {
            var tensors = file.Tensors.ToDictionary();
            foreach (var (name, p) in stale.named_parameters().Where(p => !p.parameter.requires_grad)) tensors["module." + name] = p;
            var metadata = file.Metadata.ToDictionary();
            Assert.True(metadata.Remove("frozen_weights"));
            SafeTensors.Write(CheckpointFile, tensors, metadata);
        }
        var oldStyle = File.ReadAllBytes(CheckpointFile);

        var (changedModel, changedMethod) = LoraSft();
        using (no_grad()) changedModel.state_dict()["transformer.wte.weight"].neg_();
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(Config()).Run(changedMethod));
        Assert.Contains("frozen.transformer.wte.weight is", e.Message);

        var (model, method) = LoraSft();
        Assert.Equal(4, new Trainer(Config()).Run(method).ResumedFromStep);
        var resumed = Weights(model);
        foreach (var (name, values) in straight) Assert.Equal(values, resumed[name]);
        // The checkpoints it writes from then on are the new kind.
        using var rewritten = SafeTensors.Read(CheckpointFile);
        Assert.True(rewritten.Metadata.ContainsKey("frozen_weights"));
        Assert.All(rewritten.Tensors.Keys.Where(k => k.StartsWith("module.")), k => Assert.Contains(".lora_", k));
        Assert.True(new FileInfo(CheckpointFile).Length < oldStyle.Length / 4);
    }

    [Fact]
    public void ATensorTrainedNowButFrozenInTheCheckpoint_IsRefused()
    {
        Interrupted();
        var (model, method) = LoraSft();
        model.named_parameters().Single(p => p.name == "transformer.ln_f.weight").parameter.requires_grad = true;
        var e = Assert.Throws<IncompatibleResumeException>(() => new Trainer(Config()).Run(method));
        Assert.Contains("'transformer.ln_f.weight' is trained now but was frozen when it was written", e.Message);
    }

    [Fact]
    public void Fingerprint_SeesSampledValues_ShapesAndDtypes_ButNotUnsampledPositions()
    {
        manual_seed(1);
        using var weight = randn(1000, 10);
        var reference = FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight)]);
        Assert.Equal(10_000, reference.Elements);
        Assert.Empty(reference.DifferencesFrom(FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight.clone())])));

        FrozenWeightsFingerprint With(Action<Tensor> edit)
        {
            var copy = weight.clone();
            edit(copy);
            return FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", copy)]);
        }
        // Positions 0 and 9999 are always sampled; 64 samples over 10 000 values are about 159 apart, so 1 is never sampled.
        Assert.Single(With(w => w.view(-1)[0].add_(1e-3f)).DifferencesFrom(reference));
        Assert.Single(With(w => w.view(-1)[9_999].fill_(0f)).DifferencesFrom(reference));
        Assert.Empty(With(w => w.view(-1)[1].fill_(5f)).DifferencesFrom(reference));
        Assert.Single(FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight.reshape(10, 1000))]).DifferencesFrom(reference));
        Assert.Single(FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight.to(ScalarType.Float64))]).DifferencesFrom(reference));
        // A strided (transposed) view is read at the same logical positions as its contiguous copy.
        Assert.Equal(FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight.t())]).ToJson(),
            FrozenWeightsFingerprint.Of([KeyValuePair.Create("w", weight.t().contiguous())]).ToJson());

        var renamed = FrozenWeightsFingerprint.Of([KeyValuePair.Create("v", weight)]).DifferencesFrom(reference);
        Assert.Equal([("frozen.v", (string?)null), ("frozen.w", reference.Tensors["w"])],
            renamed.Select(d => (d.Field, d.Stored is null ? null : System.Text.Json.JsonSerializer.Deserialize<string>(d.Stored))));
        Assert.Equal(reference.ToJson(), FrozenWeightsFingerprint.Parse(reference.ToJson(), "x").ToJson());
    }
}
