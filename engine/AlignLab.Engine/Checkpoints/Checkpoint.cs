using System.Text.Json;
using AlignLab.Models.HuggingFace;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Engine.Checkpoints;

/// <summary>
/// Saves and loads a model's weights together with its configuration record, as one safetensors file: the weights
/// are the module's <c>state_dict</c> (names as TorchSharp gives them), the config is JSON in the header metadata
/// (<see cref="ConfigKey"/>, with its type name under <see cref="ConfigTypeKey"/>). Writes are atomic
/// (<see cref="SafeTensors.Write"/>), and a loaded model gives bit-identical outputs.
/// </summary>
public static class Checkpoint
{
    /// <summary>Metadata key of the configuration record, serialised as JSON.</summary>
    public const string ConfigKey = "alignlab.config";

    /// <summary>Metadata key of the configuration record's .NET type name.</summary>
    public const string ConfigTypeKey = "alignlab.config_type";

    /// <summary>
    /// Writes <paramref name="module"/>'s weights and <paramref name="config"/> to <paramref name="path"/>, with
    /// <paramref name="extraMetadata"/> (e.g. a content hash) added to the header's metadata.
    /// </summary>
    public static void Save<TConfig>(nn.Module module, TConfig config, string path, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(config);
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            [ConfigKey] = JsonSerializer.Serialize(config),
            [ConfigTypeKey] = typeof(TConfig).FullName!,
        };
        foreach (var (key, value) in extraMetadata ?? new Dictionary<string, string>()) metadata.Add(key, value);
        SafeTensors.Write(path, module.state_dict(), metadata);
    }

    /// <summary>Reads the configuration record stored in the checkpoint at <paramref name="path"/>.</summary>
    public static TConfig ReadConfig<TConfig>(string path)
    {
        using var file = SafeTensors.Read(path);
        return ConfigOf<TConfig>(file, path);
    }

    /// <summary>
    /// Builds a module from the stored config with <paramref name="create"/> and loads the stored weights into it.
    /// Throws <see cref="InvalidDataException"/> when the file holds another config type or other weights.
    /// </summary>
    public static TModule Load<TConfig, TModule>(string path, Func<TConfig, TModule> create) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(create);
        using var file = SafeTensors.Read(path);
        return Load(file, path, create);
    }

    /// <summary>
    /// <see cref="Load{TConfig, TModule}(string, Func{TConfig, TModule})"/> from a file already read (and, e.g., verified)
    /// from <paramref name="path"/>, which names it in messages.
    /// </summary>
    public static TModule Load<TConfig, TModule>(SafeTensorsFile file, string path, Func<TConfig, TModule> create) where TModule : nn.Module
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(create);
        var module = create(ConfigOf<TConfig>(file, path));
        CopyWeights(module, file, path);
        return module;
    }

    /// <summary>
    /// Loads the weights stored at <paramref name="path"/> into an existing <paramref name="module"/> (on its device).
    /// Every parameter and buffer must be present with the same shape and dtype, and no other tensor may be stored.
    /// </summary>
    public static void LoadWeights(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var file = SafeTensors.Read(path);
        CopyWeights(module, file, path);
    }

    private static TConfig ConfigOf<TConfig>(SafeTensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue(ConfigKey, out var json))
            throw new InvalidDataException($"'{path}' is a safetensors file without an AlignLab config ('{ConfigKey}' metadata).");
        if (file.Metadata.TryGetValue(ConfigTypeKey, out var typeName) && typeName != typeof(TConfig).FullName)
            throw new InvalidDataException($"'{path}' holds a {typeName} checkpoint, not a {typeof(TConfig).FullName}.");
        try
        {
            return JsonSerializer.Deserialize<TConfig>(json) ?? throw new InvalidDataException($"'{path}': the stored config is null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': the stored config is not a valid {typeof(TConfig).Name} ({e.Message}).", e);
        }
    }

    private static void CopyWeights(nn.Module module, SafeTensorsFile file, string path)
    {
        var target = module.state_dict();
        var missing = target.Keys.Where(k => !file.Tensors.ContainsKey(k)).ToArray();
        var extra = file.Tensors.Keys.Where(k => !target.ContainsKey(k)).ToArray();
        if (missing.Length > 0 || extra.Length > 0)
            throw new InvalidDataException(
                $"'{path}' does not match the model: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}].");
        using var noGrad = no_grad();
        foreach (var (name, destination) in target)
        {
            var source = file.Tensors[name];
            if (!source.shape.SequenceEqual(destination.shape) || source.dtype != destination.dtype)
                throw new InvalidDataException(
                    $"'{path}': tensor '{name}' is {source.dtype}[{string.Join(", ", source.shape)}] but the model expects {destination.dtype}[{string.Join(", ", destination.shape)}].");
            destination.copy_(source);
        }
    }
}
