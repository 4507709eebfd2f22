using System.CommandLine;
using System.Reflection;
using System.Runtime.InteropServices;
using AlignLab.Engine.Runtime;
using TorchSharp;

namespace AlignLab.Cli.Commands;

/// <summary><c>alignlab info</c>: versions (AlignLab, .NET, TorchSharp, libtorch), the device runs would use and threads.</summary>
public static class InfoCommand
{
    /// <summary>Creates the <c>info</c> command.</summary>
    public static Command Create()
    {
        var command = new Command("info", "Print AlignLab, .NET, TorchSharp and libtorch versions, the device runs would use (cuda if available, else cpu) and the thread count.");
        command.SetAction(parseResult =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            foreach (var (name, value) in Describe()) output.WriteLine($"{name + ":",-12} {value}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The lines <c>info</c> prints, as (name, value) pairs.</summary>
    public static IReadOnlyList<(string Name, string Value)> Describe()
    {
        var torchSharp = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";
        // The context an experiment creates when it names no device: what runs actually use.
        using var context = ComputeContext.Create();
        bool cuda = context.Device.type == DeviceType.CUDA;
        return
        [
            ("AlignLab", AlignLabVersion.SourceRevision is { } rev ? $"{AlignLabVersion.Version} (commit {rev[..Math.Min(12, rev.Length)]})" : AlignLabVersion.Version),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("OS", $"{RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture})"),
            ("TorchSharp", torchSharp),
            ("libtorch", torch.__version__),
            ("device", cuda ? $"{context.Device} ({torch.cuda.device_count()} device(s)), {context.DType}" : $"{context.Device}, {context.DType}"),
            ("threads", $"{torch.get_num_threads()} torch, {Environment.ProcessorCount} logical processors"),
        ];
    }
}
