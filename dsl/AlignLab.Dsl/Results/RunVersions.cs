using System.Reflection;
using System.Runtime.InteropServices;

namespace AlignLab.Dsl.Results;

/// <summary>The software a run was produced with, recorded so that its numbers can be reproduced.</summary>
/// <param name="AlignLab">AlignLab's version (informational version of <c>AlignLab.Dsl</c>).</param>
/// <param name="DotNet">The .NET runtime, e.g. ".NET 10.0.0".</param>
/// <param name="TorchSharp">The TorchSharp package version the engine was built against.</param>
/// <param name="OperatingSystem">OS description and architecture.</param>
public sealed record RunVersions(string AlignLab, string DotNet, string TorchSharp, string OperatingSystem)
{
    /// <summary>The versions of the running process.</summary>
    public static RunVersions Current() => new(
        InformationalVersion(typeof(RunVersions).Assembly),
        RuntimeInformation.FrameworkDescription,
        InformationalVersion(typeof(TorchSharp.torch).Assembly),
        $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})");

    private static string InformationalVersion(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                      ?? assembly.GetName().Version?.ToString() ?? "unknown";
        // SourceLink appends "+<commit>"; the commit is recorded separately.
        var plus = version.IndexOf('+');
        return plus < 0 ? version : version[..plus];
    }
}
