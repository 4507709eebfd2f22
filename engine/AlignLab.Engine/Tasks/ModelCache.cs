using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AlignLab.Engine.Tasks;

/// <summary>
/// Where pretrained models are cached: <c>$ALIGNLAB_CACHE</c> when set, else <c>~/.cache/alignlab</c>. A cached file
/// is named by a hash of everything that determines its contents, so a changed config never reads a stale model.
/// </summary>
public static class ModelCache
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "ALIGNLAB_CACHE";

    /// <summary>The cache folder in effect.</summary>
    public static string DefaultDirectory =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "alignlab");

    /// <summary>
    /// The first 16 hex digits of SHA-256 over the JSON of <paramref name="parts"/> (each serialised with its runtime
    /// type), a stable key for a config.
    /// </summary>
    public static string Key(params object[] parts)
    {
        var json = string.Join("\n", parts.Select(p => p.GetType().FullName + ":" + JsonSerializer.Serialize(p, p.GetType())));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..16];
    }
}
