using System.Reflection;

namespace AlignLab.Cli;

/// <summary>The version of AlignLab, read from the assembly that <c>Directory.Build.props</c> stamps.</summary>
public static class AlignLabVersion
{
    private static readonly string informational =
        typeof(AlignLabVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The release version, e.g. <c>0.1.0</c>.</summary>
    public static string Version => informational.Split('+')[0];

    /// <summary>The source revision the build was made from (git commit), or null when the build did not record one.</summary>
    public static string? SourceRevision => informational.Contains('+') ? informational[(informational.IndexOf('+') + 1)..] : null;
}
