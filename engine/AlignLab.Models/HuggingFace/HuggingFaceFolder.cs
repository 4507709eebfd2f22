using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Models;
using AlignLab.Models.Families;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace AlignLab.Models.HuggingFace;

/// <summary>
/// Loads and saves causal language models as Hugging Face model folders: <c>config.json</c> plus
/// <c>model.safetensors</c>, or shards listed by <c>model.safetensors.index.json</c>; weights stored as F32, F16 or BF16.
/// <para><see cref="Load"/> reads config.json (<see cref="TransformerConfig.Read"/>), builds the architecture its
/// <c>model_type</c> names (<see cref="Create"/>), and checks every stored tensor against the model <b>before</b> reading
/// any data: an unknown name, a missing or misshapen tensor, a dtype that is not a float, or a truncated file is an
/// <see cref="InvalidDataException"/> naming the file and the tensor, and no model is returned. Buffers old checkpoints
/// carry (<c>attn.bias</c>, <c>masked_bias</c>, <c>rotary_emb.inv_freq</c>) and a tied head's copy are skipped. Tensors
/// are then read one at a time straight into the parameters (converted to the model's float32), so the peak memory is
/// the model plus its largest tensor. Half-precision weights are computed in float32; move the model with
/// <c>.to(device, dtype)</c> afterwards to choose another device or dtype.</para>
/// </summary>
public static class HuggingFaceFolder
{
    /// <summary>Name of the configuration file.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>Name of the single weights file.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>Name of the shard index of a sharded checkpoint.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>
    /// Loads the model in <paramref name="directory"/> on the CPU in float32 (see the type's summary for the checks).
    /// <paramref name="progress"/>, when given, receives the fraction of the stored bytes read so far (0 … 1).
    /// </summary>
    public static CausalLm Load(string directory, IProgress<double>? progress = null) =>
        LoadInto(directory, "model folder", Create, progress);

    /// <summary>
    /// Loads the reward model in <paramref name="directory"/>: a <c>*ForSequenceClassification</c> folder (config.json's
    /// <c>architectures</c>) with one label, on the CPU in float32, checked as <see cref="Load"/> checks a language model.
    /// A language-model folder or a classifier with several labels is an <see cref="InvalidDataException"/> saying so.
    /// </summary>
    public static SequenceClassificationModel LoadRewardModel(string directory, IProgress<double>? progress = null) =>
        LoadInto(directory, "reward model folder", config =>
        {
            CheckClassifierConfig(Path.Combine(directory, ConfigFile));
            return new SequenceClassificationModel(config);
        }, progress);

    /// <summary>
    /// The configuration of the reward-model folder <paramref name="directory"/>, checked as <see cref="LoadRewardModel"/>
    /// checks it (a one-label <c>*ForSequenceClassification</c> config.json) without reading any weights: what an
    /// experiment validates before it starts.
    /// </summary>
    public static TransformerConfig ReadRewardModelConfig(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"reward model folder '{directory}' does not exist.");
        var config = TransformerConfig.Read(Path.Combine(directory, ConfigFile));
        CheckClassifierConfig(Path.Combine(directory, ConfigFile));
        return config;
    }

    /// <summary>
    /// What the folder <paramref name="directory"/> holds, from config.json and the safetensors <b>headers</b> only (no
    /// weight is read and no model is built, so a 7B folder takes as long as a tiny one): the headers are validated as
    /// <see cref="Load"/> validates them (<see cref="SafeTensorsReader"/>; shards through the index), and the parameter
    /// count is the sum of the shapes of the tensors the model keeps — the buffers old checkpoints carry and a tied head's
    /// copy skipped, as <see cref="Load"/> skips them — so it equals the loaded model's <c>parameters()</c> count. Whether
    /// each tensor is one the architecture has, with the shape config.json gives, is checked only by <see cref="Load"/>
    /// (it needs the model).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">It has no config.json or no weights.</exception>
    /// <exception cref="InvalidDataException">config.json, the index or a header is malformed, or a tensor is stored twice or is not a float; the message names the file.</exception>
    public static HuggingFaceFolderInfo Inspect(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"model folder '{directory}' does not exist.");
        var configPath = Path.Combine(directory, ConfigFile);
        var config = TransformerConfig.Read(configPath);
        var (architectures, classifier, labels) = ReadHead(configPath);
        var readers = OpenWeights(directory);
        try
        {
            var kept = StoredTensors(readers, key => classifier ? SequenceClassificationModel.StateName(config, key) : CausalStateName(config, key));
            return new HuggingFaceFolderInfo(config, architectures, classifier ? labels : null,
                kept.Sum(t => t.Entry.ElementCount),
                [.. kept.Select(t => SafeTensorsDTypes.Of(t.Entry.DType, t.Entry.Name).Name).Distinct().Order(StringComparer.Ordinal)],
                [.. readers.Select(r => Path.GetFileName(r.Path))],
                readers.Sum(r => new FileInfo(r.Path).Length));
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    /// <summary>The state_dict name a causal LM of <paramref name="config"/> gives checkpoint tensor <paramref name="key"/> (its <see cref="IHuggingFaceLayout.StateNameOf"/>), without building it.</summary>
    private static string? CausalStateName(TransformerConfig config, string key) => config.ModelType switch
    {
        "gpt2" => Gpt2LmHeadModel.StateName(key),
        "gpt_neox" => GptNeoXForCausalLm.StateName(config, key),
        _ when LlamaForCausalLm.ModelTypes.Contains(config.ModelType) => LlamaForCausalLm.StateName(config, key),
        _ => throw new ArgumentException($"model_type '{config.ModelType}' is not supported.", nameof(config)),
    };

    /// <summary>
    /// The one loading path: reads config.json, opens the weights, builds the model with <paramref name="create"/>
    /// and copies every checked tensor into it (see the type's summary); nothing is returned on an error.
    /// </summary>
    private static T LoadInto<T>(string directory, string what, Func<TransformerConfig, T> create, IProgress<double>? progress)
        where T : Module, IHuggingFaceLayout
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{what} '{directory}' does not exist.");
        var config = TransformerConfig.Read(Path.Combine(directory, ConfigFile));
        var readers = OpenWeights(directory);
        try
        {
            var model = create(config);
            try
            {
                CopyWeights(model, model, readers, progress);
                model.eval();
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var r in readers) r.Dispose();
        }
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/> as a one-label <c>*ForSequenceClassification</c>
    /// folder (config.json + model.safetensors, float32), which <see cref="LoadRewardModel"/> and transformers open.
    /// </summary>
    public static void Save(SequenceClassificationModel model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        var config = model.ModelConfig.ToJson();
        config["architectures"] = new JsonArray(model.ArchitectureName);
        config["num_labels"] = 1;
        config["id2label"] = new JsonObject { ["0"] = "LABEL_0" };
        config["label2id"] = new JsonObject { ["LABEL_0"] = 0 };
        Write(model, model, config, directory);
    }

    /// <summary>A freshly initialised model of the architecture <paramref name="config"/> names (initialised from torch's global generator).</summary>
    public static CausalLm Create(TransformerConfig config) => config.ModelType switch
    {
        "gpt2" => new Gpt2LmHeadModel(config),
        "gpt_neox" => new GptNeoXForCausalLm(config),
        _ when LlamaForCausalLm.ModelTypes.Contains(config.ModelType) => new LlamaForCausalLm(config),
        _ => throw new ArgumentException($"model_type '{config.ModelType}' is not supported (supported: {string.Join(", ", TransformerConfig.SupportedModelTypes)}).", nameof(config)),
    };

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="directory"/> as config.json + model.safetensors (stored as
    /// <paramref name="dtype"/>: Float32, Float16 or BFloat16; the checkpoint's own names and layouts, so transformers and
    /// other tools open it), each file atomically. LoRA adapters
    /// are merged into their layers (W + s·B A, <see cref="Lora.LoraAdapters.MergedState"/>): the folder is a plain model
    /// of the same architecture; save the adapters alone with <see cref="Lora.PeftAdapterFolder.Save"/>.
    /// </summary>
    public static void Save(CausalLm model, string directory, ScalarType dtype = ScalarType.Float32)
    {
        if (dtype is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"weights are saved as Float32, Float16 or BFloat16 (got {dtype}).", nameof(dtype));
        ArgumentNullException.ThrowIfNull(model);
        Write(model, model, model.ModelConfig.ToJson(DtypeName(dtype)), directory, dtype);
    }

    // config.json's name of a stored dtype (torch_dtype / dtype).
    private static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        _ => "float32",
    };

    private static void Write(Module module, IHuggingFaceLayout model, JsonObject config, string directory, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in Lora.LoraAdapters.MergedState(module))
        {
            // Conv1D layers are stored [in, out] (see Gpt2LmHeadModel): transpose back to the checkpoint's layout.
            var stored = model.StoredTransposed(name) ? value.t() : value;
            tensors[model.CheckpointKeyOf(name)] = stored.detach().to(dtype);
        }
        SafeTensors.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var configPath = Path.Combine(directory, ConfigFile);
        var temp = configPath + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, configPath, overwrite: true);
    }

    private static List<SafeTensorsReader> OpenWeights(string directory)
    {
        var single = Path.Combine(directory, WeightsFile);
        var index = Path.Combine(directory, IndexFile);
        var readers = new List<SafeTensorsReader>();
        try
        {
            if (File.Exists(single)) readers.Add(SafeTensorsReader.Open(single));
            else if (File.Exists(index))
            {
                var weightMap = ReadIndex(index);
                foreach (var file in weightMap.Values.Distinct().Order(StringComparer.Ordinal))
                {
                    var path = Path.Combine(directory, file);
                    if (!File.Exists(path)) throw new InvalidDataException($"'{index}' lists shard '{file}', which does not exist.");
                    readers.Add(SafeTensorsReader.Open(path));
                }
                foreach (var (tensor, file) in weightMap)
                {
                    var reader = readers.First(r => Path.GetFileName(r.Path) == file);
                    if (!reader.Entries.ContainsKey(tensor))
                        throw new InvalidDataException($"'{index}' places tensor '{tensor}' in '{file}', which does not hold it.");
                }
            }
            else
                throw new FileNotFoundException($"model folder '{directory}' has no {WeightsFile} or {IndexFile} (only safetensors weights are read).");
            return readers;
        }
        catch
        {
            foreach (var r in readers) r.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadIndex(string path)
    {
        try
        {
            var map = (JsonNode.Parse(File.ReadAllText(path)) as JsonObject)?["weight_map"] as JsonObject
                ?? throw new InvalidDataException($"'{path}' has no weight_map object.");
            var result = new Dictionary<string, string>();
            foreach (var (tensor, file) in map)
            {
                var name = file is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InvalidDataException($"'{path}': weight_map entry '{tensor}' is not a file name.");
                if (name != Path.GetFileName(name)) throw new InvalidDataException($"'{path}': shard '{name}' is not a file name in the folder.");
                result[tensor] = name;
            }
            return result;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidDataException"/> unless the config at <paramref name="path"/> names a
    /// <c>*ForSequenceClassification</c> architecture with one label (<c>id2label</c> or <c>num_labels</c>).
    /// </summary>
    private static void CheckClassifierConfig(string path)
    {
        var (architectures, classifier, labels) = ReadHead(path);
        if (!classifier)
            throw new InvalidDataException(
                $"'{path}': architectures is [{string.Join(", ", architectures)}], not a *ForSequenceClassification reward model.");
        if (labels != 1)
            throw new InvalidDataException($"'{path}': the classifier has {labels} labels; a reward model has one (num_labels 1).");
    }

    /// <summary>
    /// The head the config at <paramref name="path"/> names: its <c>architectures</c>, whether one is a
    /// <c>*ForSequenceClassification</c>, and the classifier's number of labels (<c>id2label</c>, else <c>num_labels</c>).
    /// </summary>
    private static (IReadOnlyList<string> Architectures, bool Classifier, int Labels) ReadHead(string path)
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(path))!;
        var architectures = (json["architectures"] as JsonArray)?.Select(a => a is JsonValue v && v.TryGetValue(out string? name) ? name : null).OfType<string>().ToArray() ?? [];
        // transformers' PretrainedConfig defaults to two labels when neither is given.
        int labels = json["id2label"] is JsonObject id2label ? id2label.Count : json["num_labels"] is JsonValue n && n.TryGetValue(out int count) ? count : 2;
        return (architectures, architectures.Any(a => a.EndsWith("ForSequenceClassification", StringComparison.Ordinal)), labels);
    }

    /// <summary>
    /// The stored tensors a model keeps, with their state_dict names (<paramref name="stateNameOf"/>; null skips a
    /// buffer or a tied head's copy). A tensor stored under two names, or whose dtype is not a float, is an
    /// <see cref="InvalidDataException"/> naming the file and the tensor.
    /// </summary>
    private static List<(string State, SafeTensorsReader Reader, SafeTensorsEntry Entry)> StoredTensors(
        List<SafeTensorsReader> readers, Func<string, string?> stateNameOf)
    {
        var kept = new List<(string State, SafeTensorsReader Reader, SafeTensorsEntry Entry)>();
        var source = new Dictionary<string, string>();
        foreach (var reader in readers)
            foreach (var (key, entry) in reader.Entries)
            {
                var name = stateNameOf(key);
                if (name is null) continue;
                if (!source.TryAdd(name, key))
                    throw new InvalidDataException($"'{reader.Path}': tensor '{key}' is stored twice (also as '{source[name]}').");
                if (entry.DType is not (ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64))
                    throw new InvalidDataException($"'{reader.Path}': tensor '{key}' has dtype {entry.DType}; weights must be F32, F16 or BF16.");
                kept.Add((name, reader, entry));
            }
        return kept;
    }

    private static void CopyWeights(Module module, IHuggingFaceLayout model, List<SafeTensorsReader> readers, IProgress<double>? progress)
    {
        var state = module.state_dict();
        var plan = StoredTensors(readers, model.StateNameOf);
        foreach (var (name, reader, entry) in plan)
        {
            if (!state.TryGetValue(name, out var target))
                throw new InvalidDataException($"'{reader.Path}': tensor '{entry.Name}' is not a parameter of a {model.ModelConfig.ModelType} model.");
            var expected = model.StoredTransposed(name) ? target.shape.Reverse().ToArray() : target.shape;
            if (!entry.Shape.SequenceEqual(expected))
                throw new InvalidDataException($"'{reader.Path}': tensor '{entry.Name}' has shape {entry.ShapeText} but the config gives [{string.Join(", ", expected)}].");
        }
        var present = plan.Select(p => p.State).ToHashSet();
        var missing = state.Keys.Where(k => !present.Contains(k)).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException(
                $"'{Path.GetDirectoryName(readers[0].Path)}': missing tensor{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing.Take(5).Select(m => $"'{model.CheckpointKeyOf(m)}'"))}{(missing.Length > 5 ? $" and {missing.Length - 5} more" : "")}.");

        using var noGrad = no_grad();
        long total = Math.Max(1, plan.Sum(p => p.Entry.ByteCount)), done = 0;
        foreach (var (name, reader, entry) in plan)
        {
            using var scope = NewDisposeScope();
            var stored = reader.Read(entry.Name);
            state[name].copy_(model.StoredTransposed(name) ? stored.t() : stored);
            done += entry.ByteCount;
            progress?.Report((double)done / total);
        }
    }
}
