using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AlignLab.Engine.Checkpoints;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Runtime;
using static TorchSharp.torch;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// Where pretrained models are cached: <c>$ALIGNLAB_CACHE</c> when set, else <c>~/.cache/alignlab</c>. A cached file
/// is named by a hash of everything that determines its contents (<see cref="Key"/>), so a changed config never reads a
/// stale model, and carries a content hash (<see cref="ContentHashKey"/>) checked on every load, so a damaged file is
/// never used: a truncated file, a bad header, flipped bytes, NaN weights or finite-but-wrong weights (scaled, edited)
/// are all caught, moved aside, reported to <see cref="ReportDamaged"/> and rebuilt.
/// </summary>
public static class ModelCache
{
    /// <summary>Environment variable that overrides the cache folder (<see cref="CacheFolder.EnvironmentVariable"/>).</summary>
    public const string EnvironmentVariable = CacheFolder.EnvironmentVariable;

    /// <summary>
    /// Metadata key of the entry's content hash: SHA-256 over the stored config's JSON and every tensor's name, dtype,
    /// shape and bytes, in ordinal name order.
    /// </summary>
    public const string ContentHashKey = "alignlab.content_sha256";

    private static readonly AsyncLocal<Action<DamagedCacheEntry>?> damagedHandlers = new();

    /// <summary>The cache folder in effect.</summary>
    public static string DefaultDirectory => CacheFolder.Path;

    /// <summary>
    /// The first 16 hex digits of SHA-256 over the JSON of <paramref name="parts"/> (each serialised with its runtime
    /// type), a stable key for a config.
    /// </summary>
    public static string Key(params object[] parts)
    {
        var json = string.Join("\n", parts.Select(p => p.GetType().FullName + ":" + JsonSerializer.Serialize(p, p.GetType())));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }

    /// <summary>
    /// The model cached at <paramref name="path"/> when it is intact and holds <paramref name="config"/>, created with
    /// <paramref name="create"/> and its weights loaded; otherwise <paramref name="build"/>'s model, saved there
    /// atomically with its content hash. A damaged entry is moved aside to <c>PATH.damaged-TIMESTAMP</c> (kept for
    /// inspection) and reported to the handlers of <see cref="ReportDamaged"/> before the rebuild.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="build"/> gave a model with non-finite weights.</exception>
    public static TModule LoadOrBuild<TConfig, TModule>(string path, TConfig config, Func<TConfig, TModule> create, Func<TModule> build)
        where TModule : nn.Module
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(build);
        if (File.Exists(path))
        {
            string reason;
            try
            {
                using var file = SafeTensors.Read(path);
                reason = Verify(file, JsonSerializer.Serialize(config));
                if (reason.Length == 0) return Checkpoint.Load(file, path, create);
            }
            catch (InvalidDataException e)
            {
                // The reader's and the loader's messages start with the path, which the report names anyway.
                reason = e.Message.Replace($"'{path}': ", "", StringComparison.Ordinal).Replace($"'{path}' ", "", StringComparison.Ordinal);
            }
            MoveAside(path, reason);
        }
        var model = build();
        if (NonFinite(model.state_dict()) is { } name)
            throw new InvalidOperationException($"The model built for '{path}' has non-finite weights in '{name}'; it is not cached.");
        var json = JsonSerializer.Serialize(config);
        Checkpoint.Save(model, config, path, new Dictionary<string, string> { [ContentHashKey] = ContentHash(json, model.state_dict()) });
        return model;
    }

    /// <summary>
    /// Sends every damaged entry that <see cref="LoadOrBuild"/> finds on this logical flow (this async context and the
    /// tasks it starts, e.g. one <c>alignlab run</c>) to <paramref name="handler"/> until the result is disposed. The
    /// engine never prints; a host (the CLI) registers a handler that writes one line.
    /// </summary>
    public static IDisposable ReportDamaged(Action<DamagedCacheEntry> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var previous = damagedHandlers.Value;
        damagedHandlers.Value = previous + handler;
        return new Registration(() => damagedHandlers.Value = previous);
    }

    /// <summary>The <see cref="ContentHashKey"/> value of a config's JSON and a set of tensors (any device).</summary>
    public static string ContentHash(string configJson, IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(configJson);
        ArgumentNullException.ThrowIfNull(tensors);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(configJson + "\n"));
        foreach (var name in tensors.Keys.Order(StringComparer.Ordinal))
        {
            using var cpu = tensors[name].detach().cpu().contiguous();
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}\n{cpu.dtype}\n{string.Join(",", cpu.shape)}\n"));
            hash.AppendData(cpu.bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Empty when the file holds <paramref name="configJson"/> and matches its hash, else what is wrong.</summary>
    private static string Verify(SafeTensorsFile file, string configJson)
    {
        if (!file.Metadata.TryGetValue(ContentHashKey, out var stored)) return $"it has no content hash ('{ContentHashKey}')";
        if (!file.Metadata.TryGetValue(Checkpoint.ConfigKey, out var storedConfig) || storedConfig != configJson)
            return "it holds another config than its name says";
        // Never saved non-finite (LoadOrBuild refuses to), so NaN weights written later fail the hash like any other edit.
        return ContentHash(configJson, file.Tensors) == stored ? "" : "its content does not match its hash (changed or corrupted weights)";
    }

    private static string? NonFinite(IReadOnlyDictionary<string, Tensor> tensors)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, t) in tensors)
            if (t.is_floating_point() && !isfinite(t).all().item<bool>()) return name;
        return null;
    }

    private static void MoveAside(string path, string reason)
    {
        string? aside = $"{path}.damaged-{DateTime.UtcNow:yyyyMMddTHHmmssfff}";
        try
        {
            File.Move(path, aside);
        }
        catch (FileNotFoundException)
        {
            return; // another process moved it aside first, and reported it
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The rebuild then replaces it (atomically) instead.
            aside = null;
            reason += $"; it could not be moved aside ({e.Message})";
        }
        damagedHandlers.Value?.Invoke(new DamagedCacheEntry(path, reason, aside));
    }

    private sealed class Registration(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}
