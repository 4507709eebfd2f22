namespace AlignLab.Cli.Sweeps;

/// <summary>
/// The command line that starts this same <c>alignlab</c> build in another process (a row of a sweep, locally or as a
/// Slurm array task): the <c>alignlab</c> executable when that is what runs (the installed tool), else the dotnet host
/// with this build's <c>alignlab.dll</c> (<c>dotnet run</c>, tests).
/// </summary>
public static class AlignlabLauncher
{
    /// <summary>The words of the command, executable first.</summary>
    public static IReadOnlyList<string> Command()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "alignlab") return [process];
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (string.IsNullOrEmpty(host)) host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return [host, typeof(CliApp).Assembly.Location];
    }
}
