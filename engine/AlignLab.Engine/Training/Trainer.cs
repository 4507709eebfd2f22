using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AlignLab.Engine.Checkpoints;
using AlignLab.Engine.Runtime;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AlignLab.Engine.Training;

/// <summary>
/// The one training loop shared by every method (issue 5 item 1): AdamW or RMSprop with warm-up and a schedule, global-norm
/// gradient clipping, gradient accumulation, evaluation and checkpoints every k steps, resume, a JSONL metrics stream,
/// a progress callback, and an early stop on a non-finite loss. All batches are drawn from one generator seeded with
/// <see cref="TrainerConfig.Seed"/>, whose state is checkpointed, so a resumed run continues bit-identically on CPU.
/// The loop never reads a tensor back to the host except at logging, evaluation and checkpoint steps.
/// </summary>
public sealed class Trainer
{
    /// <summary>Name of the checkpoint file inside <see cref="TrainerConfig.CheckpointDirectory"/>.</summary>
    public const string CheckpointFileName = "checkpoint.safetensors";

    /// <summary>Creates a trainer with a validated configuration.</summary>
    public Trainer(TrainerConfig config)
    {
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
        _tensorBoard = Config.TensorBoardDirectory is { } folder ? new TensorBoardLog(folder) : null;
    }

    private readonly TensorBoardLog? _tensorBoard;

    /// <summary>The configuration.</summary>
    public TrainerConfig Config { get; }

    /// <summary>Path of the checkpoint file, or null when checkpoints are off.</summary>
    public string? CheckpointPath => Config.CheckpointDirectory is null ? null : Path.Combine(Config.CheckpointDirectory, CheckpointFileName);

    /// <summary>
    /// Trains <paramref name="method"/> for <see cref="TrainerConfig.Steps"/> steps (continuing from the checkpoint when
    /// <see cref="TrainerConfig.Resume"/> is set and one exists). <paramref name="progress"/> is called every
    /// <see cref="TrainerConfig.LogEvery"/> steps; <paramref name="evaluate"/> (given the step) every
    /// <see cref="TrainerConfig.EvalEvery"/> steps, without gradients, and its values are logged as "eval.NAME".
    /// <paramref name="cancellationToken"/> (by default the host's, <see cref="AmbientCancellation.Token"/>: Ctrl-C under
    /// <c>alignlab run</c>) is looked at before every step: once it is signalled the loop stops at that
    /// step boundary, writes a checkpoint of the steps done (when there is a checkpoint folder) and throws
    /// <see cref="TrainingCancelledException"/>.
    /// Throws <see cref="NonFiniteLossException"/> naming the first step whose loss is NaN or infinite, and
    /// <see cref="IncompatibleResumeException"/> when the checkpoint to resume from was made with other settings or
    /// is past <see cref="TrainerConfig.Steps"/>.
    /// </summary>
    public TrainingResult Run(IAlignmentMethod method, Action<TrainingProgress>? progress = null,
        Func<int, IReadOnlyDictionary<string, double>>? evaluate = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        cancellationToken = AmbientCancellation.Or(cancellationToken);
        using var cooperating = AmbientCancellation.Cooperate();
        var parameters = method.Module.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new ArgumentException($"Method '{method.Name}' has no trainable parameters.", nameof(method));
        var device = parameters[0].device;
        using var generator = new Generator((ulong)Config.Seed, device);
        using IOptimizer optimizer = Config.Optimizer == OptimizerKind.RmsProp ? new RmsProp(parameters, Config) : new AdamW(parameters, Config);
        using var firstNonFinite = zeros(1, ScalarType.Int64, device);
        // The frozen weights do not change during training, so their fingerprint is taken once.
        var frozen = CheckpointPath is null ? null : FrozenWeightsFingerprint.Of(SplitState(method.Module).Frozen);

        var resumed = Config.Resume && CheckpointPath is not null && File.Exists(CheckpointPath)
            ? LoadCheckpoint(CheckpointPath, method, optimizer, generator, frozen!)
            : new ResumePoint(0, new TrainingProgress(0, Config.Steps, double.NaN, new Dictionary<string, double>(), TimeSpan.Zero), [], []);
        var startStep = resumed.Step;
        IReadOnlyList<ConfigDifference> recordedChanges = [.. resumed.EarlierChanges, .. resumed.Changes];
        PrepareMetricsFile(startStep);

        var clock = Stopwatch.StartNew();
        var lastCheckpoint = startStep;
        var last = resumed.Last with { TotalSteps = Config.Steps, Elapsed = TimeSpan.Zero };
        void ThrowIfNonFinite()
        {
            var bad = (int)firstNonFinite.cpu().item<long>();
            if (bad > 0) throw new NonFiniteLossException(method.Name, bad, lastCheckpoint);
        }
        for (var step = startStep + 1; step <= Config.Steps; step++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // Stop between steps: the state after step - 1 is consistent, so it is what the checkpoint holds.
                ThrowIfNonFinite();
                var done = step - 1;
                if (CheckpointPath is not null && (done != lastCheckpoint || !File.Exists(CheckpointPath)))
                    SaveCheckpoint(CheckpointPath, done, last, recordedChanges, method, optimizer, generator, frozen!);
                throw new TrainingCancelledException(method.Name, done, Config.Steps, CheckpointPath, cancellationToken);
            }
            using var scope = NewDisposeScope();
            var learningRate = Config.LearningRateAt(step);
            var (loss, metrics) = AccumulateGradients(method, parameters, generator);
            var gradNorm = ClipGradients(parameters);
            firstNonFinite.copy_(where(firstNonFinite.eq(0) & loss.isfinite().logical_not(), full(1, step, ScalarType.Int64, device), firstNonFinite));
            optimizer.Step(learningRate);

            var isEval = evaluate is not null && Config.EvalEvery > 0 && step % Config.EvalEvery == 0;
            var isCheckpoint = CheckpointPath is not null && (Config.CheckpointEvery > 0 && step % Config.CheckpointEvery == 0 || step == Config.Steps);
            var isLog = step % Config.LogEvery == 0 || step == Config.Steps || isEval;
            if (!(isLog || isCheckpoint)) continue;

            ThrowIfNonFinite();
            if (isLog)
            {
                var values = ReadScalars(loss, metrics, gradNorm);
                values["lr"] = learningRate;
                if (isEval)
                {
                    using var noGrad = no_grad();
                    foreach (var (name, value) in evaluate!(step)) values["eval." + name] = value;
                }
                var lossValue = values["loss"];
                values.Remove("loss");
                last = new TrainingProgress(step, Config.Steps, lossValue, values, clock.Elapsed);
                AppendMetrics(last);
                progress?.Invoke(last);
            }
            if (isCheckpoint)
            {
                SaveCheckpoint(CheckpointPath!, step, last, recordedChanges, method, optimizer, generator, frozen!);
                lastCheckpoint = step;
            }
        }
        return new TrainingResult(Config.Steps, startStep, last, resumed.Changes);
    }

    /// <summary>
    /// The step of the checkpoint in <paramref name="checkpointDirectory"/> (the step a resume starts after), or 0 when
    /// there is none.
    /// </summary>
    public static int CheckpointStep(string checkpointDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        var path = Path.Combine(checkpointDirectory, CheckpointFileName);
        if (!File.Exists(path)) return 0;
        using var file = SafeTensors.Read(path);
        return int.Parse(file.Metadata["step"], CultureInfo.InvariantCulture);
    }

    private (Tensor Loss, Dictionary<string, Tensor> Metrics) AccumulateGradients(IAlignmentMethod method, List<Parameter> parameters, Generator generator)
    {
        foreach (var p in parameters) p.grad?.zero_();
        var accumulation = Config.GradientAccumulation;
        Tensor? lossSum = null;
        var metricSums = new Dictionary<string, Tensor>();
        for (var micro = 0; micro < accumulation; micro++)
        {
            var output = method.Step(generator);
            (output.Loss / accumulation).backward();
            var detached = output.Loss.detach() / accumulation;
            lossSum = lossSum is null ? detached : lossSum + detached;
            foreach (var (name, value) in output.Metrics)
            {
                var scaled = value.detach().to(ScalarType.Float64) / accumulation;
                metricSums[name] = metricSums.TryGetValue(name, out var sum) ? sum + scaled : scaled;
            }
        }
        return (lossSum!, metricSums);
    }

    /// <summary>Scales all gradients so their global L2 norm is at most the clip (on the device); returns the norm before.</summary>
    private Tensor ClipGradients(List<Parameter> parameters)
    {
        using var noGrad = no_grad();
        var grads = parameters.Where(p => p.grad is not null).Select(p => p.grad!).ToList();
        if (grads.Count == 0) return zeros(1, ScalarType.Float64, parameters[0].device);
        var norm = stack(grads.Select(g => g.norm().to(ScalarType.Float64))).norm();
        if (Config.GradientClip > 0)
        {
            var coefficient = (Config.GradientClip / (norm + 1e-6)).clamp_max(1.0);
            foreach (var g in grads) g.mul_(coefficient.to(g.dtype));
        }
        return norm;
    }

    private static Dictionary<string, double> ReadScalars(Tensor loss, Dictionary<string, Tensor> metrics, Tensor gradNorm)
    {
        var names = new List<string> { "loss", "grad_norm" };
        var tensors = new List<Tensor> { loss.to(ScalarType.Float64).reshape(1), gradNorm.to(ScalarType.Float64).reshape(1) };
        foreach (var (name, value) in metrics)
        {
            names.Add(name);
            tensors.Add(value.reshape(1));
        }
        // One host transfer for all scalars.
        var host = cat(tensors, 0).cpu().data<double>().ToArray();
        return names.Select((n, i) => (n, host[i])).ToDictionary(e => e.n, e => e.Item2);
    }

    private void PrepareMetricsFile(int resumedStep)
    {
        if (Config.MetricsPath is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(Config.MetricsPath))!);
        if (resumedStep == 0 || !File.Exists(Config.MetricsPath))
        {
            File.WriteAllText(Config.MetricsPath, "");
            _tensorBoard?.Rewrite([]);
            return;
        }
        // Lines written after the checkpoint by a killed run are dropped: the resumed run writes them again.
        var kept = File.ReadLines(Config.MetricsPath)
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt32() <= resumedStep)
            .ToList();
        File.WriteAllLines(Config.MetricsPath, kept);
        // The event files get exactly the kept records again ("NaN" strings read back as doubles).
        _tensorBoard?.Rewrite(kept.Select(line => JsonSerializer.Deserialize<Dictionary<string, double>>(line, JsonOptions)!).Select(values =>
            ((long)values["step"], (IReadOnlyDictionary<string, double>)values.Where(v => v.Key != "step").ToDictionary(StringComparer.Ordinal))));
    }

    private void AppendMetrics(TrainingProgress record)
    {
        if (Config.MetricsPath is null) return;
        var line = new Dictionary<string, object> { ["step"] = record.Step, ["loss"] = record.Loss, ["elapsed_s"] = record.Elapsed.TotalSeconds };
        foreach (var (name, value) in record.Metrics) line[name] = value;
        File.AppendAllText(Config.MetricsPath, JsonSerializer.Serialize(line, JsonOptions) + "\n");
        _tensorBoard?.Write(record.Step, line.Where(v => v.Key != "step").Select(v => KeyValuePair.Create(v.Key, (double)v.Value)));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>
    /// The module's state_dict in two parts, each in state_dict order: what training changes (the trainable parameters and
    /// any registered buffers; a LoRA row's adapters), which a checkpoint holds, and the frozen (requires_grad = false)
    /// parameters, which it leaves out and fingerprints.
    /// </summary>
    private static (List<KeyValuePair<string, Tensor>> Trained, List<KeyValuePair<string, Tensor>> Frozen) SplitState(nn.Module module)
    {
        var frozenNames = module.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).ToHashSet(StringComparer.Ordinal);
        var state = module.state_dict();
        return ([.. state.Where(e => !frozenNames.Contains(e.Key))], [.. state.Where(e => frozenNames.Contains(e.Key))]);
    }

    private void SaveCheckpoint(string path, int step, TrainingProgress last, IReadOnlyList<ConfigDifference> configChanges,
        IAlignmentMethod method, IOptimizer optimizer, Generator generator, FrozenWeightsFingerprint frozen)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tensors = new Dictionary<string, Tensor>();
        // Frozen weights are left out: a resume rebuilds them from where the run got them, and the fingerprint checks that.
        foreach (var (name, value) in SplitState(method.Module).Trained) tensors["module." + name] = value;
        foreach (var (name, value) in optimizer.State) tensors[optimizer.Name + "." + name] = value;
        foreach (var (name, value) in method.State) tensors["method." + name] = value;
        using var rng = generator.get_state();
        tensors["rng"] = rng;
        var metadata = new Dictionary<string, string>
        {
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            [optimizer.Name + ".step"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
            ["method"] = method.Name,
            [TrainerConfigKey] = JsonSerializer.Serialize(Config, JsonOptions),
            // The last logged record, so a resume with no step left to take still reports the final loss.
            [LastProgressKey] = JsonSerializer.Serialize(last, JsonOptions),
            [ConfigChangesKey] = JsonSerializer.Serialize(configChanges, JsonOptions),
            [FrozenWeightsKey] = frozen.ToJson(),
        };
        if (method.Config is { } methodConfig) metadata[MethodConfigKey] = JsonSerializer.Serialize(methodConfig, methodConfig.GetType(), JsonOptions);
        SafeTensors.Write(path, tensors, metadata);
    }

    private const string TrainerConfigKey = "trainer_config";
    private const string MethodConfigKey = "method_config";
    private const string LastProgressKey = "last_progress";
    private const string ConfigChangesKey = "config_changes";
    private const string FrozenWeightsKey = "frozen_weights";

    /// <summary>Where a resume starts: the checkpoint's step and last record, the differences allowed now and those allowed by earlier resumes.</summary>
    private sealed record ResumePoint(int Step, TrainingProgress Last, IReadOnlyList<ConfigDifference> Changes, IReadOnlyList<ConfigDifference> EarlierChanges);

    private ResumePoint LoadCheckpoint(string path, IAlignmentMethod method, IOptimizer optimizer, Generator generator, FrozenWeightsFingerprint frozen)
    {
        using var file = SafeTensors.Read(path);
        if (!file.Metadata.TryGetValue("method", out var storedMethod) || storedMethod != method.Name)
            throw new IncompatibleResumeException($"Checkpoint '{path}' belongs to method '{storedMethod}', not '{method.Name}'.", []);
        var step = int.Parse(file.Metadata["step"], CultureInfo.InvariantCulture);
        if (step > Config.Steps)
            throw new IncompatibleResumeException(
                $"Checkpoint '{path}' is at step {step}, past the {Config.Steps} steps asked for: ask for at least {step} steps, or delete the checkpoint to train from the start.", []);
        var (trained, frozenNow) = SplitState(method.Module);
        var storedFrozen = StoredFrozenWeights(path, file, frozenNow.Select(e => e.Key));
        if (trained.FirstOrDefault(e => storedFrozen.Tensors.ContainsKey(e.Key)) is { Key: { } unfrozen })
            throw new IncompatibleResumeException(
                $"Cannot resume from checkpoint '{path}': '{unfrozen}' is trained now but was frozen when it was written, so it holds no value for it. Delete the checkpoint to train from the start.", []);
        var changes = ConfigChanges(path, file.Metadata, method, frozen.DifferencesFrom(storedFrozen));
        using (no_grad())
        {
            CopyInto(path, "module.", trained, file.Tensors);
            CopyInto(path, optimizer.Name + ".", optimizer.State, file.Tensors);
            CopyInto(path, "method.", method.State, file.Tensors);
        }
        generator.set_state(file.Tensors["rng"]);
        if (!file.Metadata.TryGetValue(optimizer.Name + ".step", out var optimizerStep))
            throw new InvalidDataException($"Checkpoint '{path}' has no {optimizer.Name} state: it was written with another optimiser.");
        optimizer.StepCount = int.Parse(optimizerStep, CultureInfo.InvariantCulture);
        var last = file.Metadata.TryGetValue(LastProgressKey, out var lastJson)
            ? JsonSerializer.Deserialize<TrainingProgress>(lastJson, JsonOptions)!
            : new TrainingProgress(step, Config.Steps, double.NaN, new Dictionary<string, double>(), TimeSpan.Zero);
        var earlier = file.Metadata.TryGetValue(ConfigChangesKey, out var earlierJson)
            ? JsonSerializer.Deserialize<List<ConfigDifference>>(earlierJson, JsonOptions)!
            : [];
        return new ResumePoint(step, last, changes, earlier);
    }

    /// <summary>
    /// The fingerprint of the frozen weights the checkpoint was trained on. A checkpoint written before frozen weights were
    /// left out holds the whole state_dict and no fingerprint: its copies of the parameters frozen now are fingerprinted
    /// instead (and not loaded), so it resumes when they match the model's and is refused, like a new one, when they do not.
    /// </summary>
    private static FrozenWeightsFingerprint StoredFrozenWeights(string path, SafeTensorsFile file, IEnumerable<string> frozenNow)
    {
        if (file.Metadata.TryGetValue(FrozenWeightsKey, out var json)) return FrozenWeightsFingerprint.Parse(json, path);
        return FrozenWeightsFingerprint.Of(frozenNow
            .Where(name => file.Tensors.ContainsKey("module." + name))
            .Select(name => KeyValuePair.Create(name, file.Tensors["module." + name])));
    }

    /// <summary>
    /// The fields of the trainer's and the method's config that differ from the checkpoint's, among those that change the
    /// trajectory, then the frozen weights that differ from those the checkpoint was trained on
    /// (<paramref name="frozenChanges"/>); throws <see cref="IncompatibleResumeException"/> naming the first unless changes are allowed.
    /// </summary>
    private IReadOnlyList<ConfigDifference> ConfigChanges(string path, IReadOnlyDictionary<string, string> metadata, IAlignmentMethod method,
        IReadOnlyList<ConfigDifference> frozenChanges)
    {
        var differences = new List<ConfigDifference>();
        if (metadata.TryGetValue(TrainerConfigKey, out var storedTrainer))
        {
            // Read back as a config, so a field added to TrainerConfig since the checkpoint was written takes its default.
            var stored = JsonSerializer.Deserialize<TrainerConfig>(storedTrainer, JsonOptions)!;
            differences.AddRange(ConfigDifference.Find(JsonSerializer.SerializeToElement(stored, JsonOptions), JsonSerializer.SerializeToElement(Config, JsonOptions), IsFreeToChange));
        }
        // Checkpoints written before method configs were recorded have none to compare.
        if (method.Config is { } methodConfig && metadata.TryGetValue(MethodConfigKey, out var storedMethod))
        {
            var type = methodConfig.GetType();
            var stored = JsonSerializer.SerializeToElement(JsonSerializer.Deserialize(storedMethod, type, JsonOptions), type, JsonOptions);
            var current = JsonSerializer.SerializeToElement(methodConfig, type, JsonOptions);
            differences.AddRange(ConfigDifference.Find(stored, current).Select(d => d with { Field = "method." + d.Field }));
        }
        differences.AddRange(frozenChanges);
        if (differences.Count == 0 || Config.AllowConfigChange) return differences;
        var others = differences.Skip(1).Select(d => d.Field).ToList();
        var more = others.Count == 0 ? ""
            : $" (and {string.Join(", ", others.Take(5))}{(others.Count > 5 ? $" and {others.Count - 5} more" : "")})";
        var first = differences[0].Field.StartsWith(FrozenWeightsFingerprint.FieldPrefix, StringComparison.Ordinal)
            ? $"the frozen weights differ from those it was trained on ({frozenChanges.Count} tensor{(frozenChanges.Count > 1 ? "s" : "")}): {differences[0].Describe()}"
            : differences[0].Describe();
        var remedy = frozenChanges.Count > 0 ? "Load the weights and use the settings the checkpoint was trained with" : "Use the checkpoint's settings";
        throw new IncompatibleResumeException(
            $"Cannot resume from checkpoint '{path}': {first}{more}. {remedy}, set "
            + $"AllowConfigChange to continue with the new ones, or delete the checkpoint to train from the start.", differences);
    }

    /// <summary>Trainer settings that cannot change the numbers of the steps already taken.</summary>
    private bool IsFreeToChange(string field) => field switch
    {
        nameof(TrainerConfig.LogEvery) or nameof(TrainerConfig.EvalEvery) or nameof(TrainerConfig.CheckpointEvery)
            or nameof(TrainerConfig.CheckpointDirectory) or nameof(TrainerConfig.MetricsPath) or nameof(TrainerConfig.TensorBoardDirectory)
            or nameof(TrainerConfig.Resume)
            or nameof(TrainerConfig.AllowConfigChange) => true,
        // Under a constant schedule the learning rate of step t does not depend on T, so training longer is the same run.
        nameof(TrainerConfig.Steps) => Config.Schedule == LearningRateSchedule.Constant,
        _ => false,
    };

    private static void CopyInto(string path, string prefix, IEnumerable<KeyValuePair<string, Tensor>> targets, IReadOnlyDictionary<string, Tensor> stored)
    {
        foreach (var (name, target) in targets)
        {
            if (!stored.TryGetValue(prefix + name, out var value) || !value.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"Checkpoint '{path}' has no tensor '{prefix + name}' of shape [{string.Join(", ", target.shape)}].");
            target.copy_(value);
        }
    }
}
