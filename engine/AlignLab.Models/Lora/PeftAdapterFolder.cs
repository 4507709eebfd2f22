using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Models;
using AlignLab.Models.Families;
using AlignLab.Models.HuggingFace;
using static TorchSharp.torch;

namespace AlignLab.Models.Lora;

/// <summary>
/// Saves and loads a model's LoRA adapters in PEFT's layout, so PEFT (<c>PeftModel.from_pretrained</c>) opens what
/// AlignLab trains and the other way round: <c>adapter_config.json</c> (<c>peft_type: LORA</c>, <c>r</c>,
/// <c>lora_alpha</c>, <c>lora_dropout</c>, <c>target_modules</c>, <c>use_rslora</c>, <c>fan_in_fan_out</c>, …) and
/// <c>adapter_model.safetensors</c> with keys <c>base_model.model.&lt;module path&gt;.lora_A.weight</c> [r, in] and
/// <c>….lora_B.weight</c> [out, r] (the adapter name is not part of the key). The module paths are the base model's
/// own (<c>transformer.h.0.attn.c_attn</c>, <c>model.layers.0.self_attn.q_proj</c>,
/// <c>gpt_neox.layers.0.attention.query_key_value</c>). GPT-2's Conv1D layers store their base weight as [in, out],
/// which PEFT marks with <c>fan_in_fan_out: true</c>; the adapter matrices have the same layout either way.
/// </summary>
public static class PeftAdapterFolder
{
    /// <summary>Name of the adapter configuration file.</summary>
    public const string ConfigFile = "adapter_config.json";

    /// <summary>Name of the adapter weights file.</summary>
    public const string WeightsFile = "adapter_model.safetensors";

    private const string KeyPrefix = "base_model.model.";
    private const string KeyA = ".lora_A.weight";
    private const string KeyB = ".lora_B.weight";

    /// <summary>
    /// Writes the adapters of <paramref name="model"/> to <paramref name="directory"/> (float32, each file atomically).
    /// <paramref name="baseModel"/> is recorded as <c>base_model_name_or_path</c> (e.g. the folder the base came from).
    /// Throws <see cref="ArgumentException"/> when the model has no adapters or its adapters differ in rank, α, dropout
    /// or scaling rule (PEFT's per-layer <c>rank_pattern</c> is not written).
    /// </summary>
    public static void Save(CausalLm model, string directory, string? baseModel = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var layers = LoraAdapters.Layers(model);
        if (layers.Count == 0) throw new ArgumentException("The model has no LoRA adapters to save (apply LoraAdapters.Apply first).", nameof(model));
        var config = layers[0].Layer.Config;
        var odd = layers.FirstOrDefault(l => l.Layer.Config with { TargetModules = null } != config with { TargetModules = null });
        if (odd.Layer is not null)
            throw new ArgumentException($"LoRA layer '{odd.Path}' has a different rank, alpha, dropout or scaling from '{layers[0].Path}'; PEFT's layout needs one setting for all.", nameof(model));

        Directory.CreateDirectory(directory);
        using (var scope = NewDisposeScope())
        {
            var tensors = new Dictionary<string, Tensor>();
            foreach (var (path, layer) in layers)
            {
                tensors[KeyPrefix + path + KeyA] = layer.LoraA.detach().to(ScalarType.Float32);
                tensors[KeyPrefix + path + KeyB] = layer.LoraB.detach().to(ScalarType.Float32);
            }
            SafeTensors.Write(Path.Combine(directory, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        }
        // Targets as given, or the exact module paths when the layers were chosen another way (PEFT matches both).
        var targets = config.TargetModules ?? layers.Select(l => l.Path).ToArray();
        var json = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = baseModel,
            ["r"] = config.Rank,
            ["lora_alpha"] = config.Alpha,
            ["lora_dropout"] = config.Dropout,
            ["use_rslora"] = config.UseRsLora,
            ["target_modules"] = new JsonArray(targets.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["fan_in_fan_out"] = model is Gpt2LmHeadModel,
            ["bias"] = "none",
            ["modules_to_save"] = null,
            ["use_dora"] = false,
            ["inference_mode"] = true,
            ["init_lora_weights"] = true,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
        };
        var configPath = Path.Combine(directory, ConfigFile);
        var temp = configPath + $".{Guid.NewGuid():N}.tmp";
        File.WriteAllText(temp, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.Move(temp, configPath, overwrite: true);
    }

    /// <summary>
    /// Reads the LoRA configuration of the PEFT adapter folder <paramref name="directory"/>. Throws
    /// <see cref="InvalidDataException"/> naming the file and field for a configuration AlignLab cannot reproduce
    /// (another <c>peft_type</c>, DoRA, trained biases, per-layer rank or α patterns, <c>modules_to_save</c>).
    /// </summary>
    public static LoraConfig ReadConfig(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"adapter folder '{directory}' has no {ConfigFile}.", path);
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
        var peftType = Get<string?>(json, path, "peft_type", null);
        if (peftType != "LORA") throw new InvalidDataException($"'{path}': peft_type is '{peftType}'; only LORA adapters are read.");
        if (Get(json, path, "use_dora", false)) throw new InvalidDataException($"'{path}': use_dora is true; DoRA adapters are not supported.");
        var bias = Get(json, path, "bias", "none");
        if (bias != "none") throw new InvalidDataException($"'{path}': bias is '{bias}'; only adapters without trained biases ('none') are supported.");
        foreach (var field in new[] { "rank_pattern", "alpha_pattern" })
            if (json[field] is JsonObject { Count: > 0 }) throw new InvalidDataException($"'{path}': {field} is not empty; per-layer ranks and alphas are not supported.");
        if (json["modules_to_save"] is JsonArray { Count: > 0 }) throw new InvalidDataException($"'{path}': modules_to_save is set; fully trained extra modules are not supported.");
        // PEFT's defaults: r 8, lora_alpha 8, dropout 0.
        var targets = json["target_modules"] switch
        {
            null => null,
            JsonArray a => a.Select(t => t?.GetValue<string>() ?? throw new InvalidDataException($"'{path}': target_modules holds a null.")).ToArray(),
            JsonValue v when v.TryGetValue(out string? s) => null, // a regex: the stored keys name the layers exactly
            _ => throw new InvalidDataException($"'{path}': target_modules must be a list of names or a regex string."),
        };
        var config = new LoraConfig(Get(json, path, "r", 8), Get(json, path, "lora_alpha", 8.0), Get(json, path, "lora_dropout", 0.0), targets, Get(json, path, "use_rslora", false));
        try
        {
            return config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Adds the adapters stored in <paramref name="directory"/> to <paramref name="model"/> (its base weights, e.g. from
    /// <see cref="HuggingFaceFolder.Load"/>) and returns the number of layers adapted; every other parameter is frozen. The
    /// layers are the ones the stored keys name. A key that names no linear layer of the model, a missing A or B, or a
    /// misshapen matrix is an <see cref="InvalidDataException"/> naming the file and key, and the model is left unchanged.
    /// </summary>
    public static int Load(CausalLm model, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"adapter folder '{directory}' does not exist.");
        if (LoraAdapters.Layers(model).Count > 0) throw new ArgumentException("The model already has LoRA adapters; load adapters into a base model.", nameof(model));
        var config = ReadConfig(directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        using var reader = SafeTensorsReader.Open(weightsPath);

        var linear = model.named_modules().Where(m => m.module is TorchSharp.Modules.Linear).ToDictionary(m => m.name, m => (TorchSharp.Modules.Linear)m.module);
        var paths = new HashSet<string>();
        foreach (var key in reader.Entries.Keys)
        {
            if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || !(key.EndsWith(KeyA, StringComparison.Ordinal) || key.EndsWith(KeyB, StringComparison.Ordinal)))
                throw new InvalidDataException($"'{weightsPath}': tensor '{key}' is not a LoRA matrix (base_model.model.<module>.lora_A.weight or .lora_B.weight).");
            var path = key[KeyPrefix.Length..^KeyA.Length];
            if (!linear.TryGetValue(path, out var layer))
                throw new InvalidDataException($"'{weightsPath}': tensor '{key}' names module '{path}', which is not a linear layer of this {model.ModelConfig.ModelType} model.");
            var w = layer.weight!.shape;
            long[] expected = key.EndsWith(KeyA, StringComparison.Ordinal) ? [config.Rank, w[1]] : [w[0], config.Rank];
            var other = key.EndsWith(KeyA, StringComparison.Ordinal) ? KeyPrefix + path + KeyB : KeyPrefix + path + KeyA;
            if (!reader.Entries[key].Shape.SequenceEqual(expected))
                throw new InvalidDataException($"'{weightsPath}': tensor '{key}' has shape {reader.Entries[key].ShapeText} but r = {config.Rank} and the layer give [{string.Join(", ", expected)}].");
            if (!reader.Entries.ContainsKey(other)) throw new InvalidDataException($"'{weightsPath}': tensor '{key}' has no partner '{other}'.");
            paths.Add(path);
        }
        if (paths.Count == 0) throw new InvalidDataException($"'{weightsPath}' holds no LoRA matrices.");

        int wrapped = LoraAdapters.Apply(model, config, paths.Contains);
        using var noGrad = no_grad();
        foreach (var (path, layer) in LoraAdapters.Layers(model))
        {
            using var a = reader.Read(KeyPrefix + path + KeyA);
            using var b = reader.Read(KeyPrefix + path + KeyB);
            layer.LoraA.copy_(a);
            layer.LoraB.copy_(b);
        }
        return wrapped;
    }

    private static T Get<T>(JsonObject json, string path, string field, T fallback)
    {
        var node = json[field];
        if (node is null) return fallback is null ? throw new InvalidDataException($"'{path}' has no {field}.") : fallback;
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"'{path}': {field} must be a {typeof(T).Name} (got {node.ToJsonString()}).", e);
        }
    }
}
