using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace AlignLab.Packaging.Tests;

/// <summary>Facts about the repository under test, read from its files.</summary>
internal static class Repository
{
    /// <summary>The repository root, found from this source file's location (tests/AlignLab.Packaging.Tests/Repository.cs).</summary>
    public static string Root { get; } = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisSourceFile())!, "..", ".."));

    /// <summary>The version prefix set in Directory.Build.props (the one place the version lives).</summary>
    public static string VersionPrefix { get; } =
        Regex.Match(File.ReadAllText(Path.Combine(Root, "Directory.Build.props")), "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;

    /// <summary>True under CI (CI=true or 1), where a missing tool fails a test instead of skipping it.</summary>
    public static bool IsCi =>
        Environment.GetEnvironmentVariable("CI") is { } ci && (ci.Equals("true", StringComparison.OrdinalIgnoreCase) || ci == "1");

    private static string ThisSourceFile([CallerFilePath] string path = "") => path;
}
