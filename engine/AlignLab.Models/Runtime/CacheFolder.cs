namespace AlignLab.Models.Runtime;

/// <summary>
/// AlignLab's cache folder: <c>$ALIGNLAB_CACHE</c> when set, else <c>~/.cache/alignlab</c>. It holds what AlignLab
/// builds once and reuses (pretrained toy bases, the patched TorchSharp native library); everything in it can be
/// deleted and is rebuilt when needed.
/// </summary>
public static class CacheFolder
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "ALIGNLAB_CACHE";

    /// <summary>The cache folder in effect.</summary>
    public static string Path =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } dir
            ? dir
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "alignlab");
}
