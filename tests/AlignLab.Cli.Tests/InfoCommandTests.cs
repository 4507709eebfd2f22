using AlignLab.Cli.Commands;

namespace AlignLab.Cli.Tests;

public class InfoCommandTests
{
    [Fact]
    public void Info_PrintsVersionsAndDevice()
    {
        var run = CliRun.Invoke("info");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches(@"(?m)^device:\s+(cpu|cuda)", run.Output);
        Assert.Matches(@"(?m)^AlignLab:\s+\d+\.\d+\.\d+", run.Output);
        Assert.Matches(@"(?m)^TorchSharp:\s+\d+\.\d+", run.Output);
        Assert.Matches(@"(?m)^libtorch:\s+\d+\.\d+", run.Output);
        Assert.Matches(@"(?m)^threads:\s+[1-9]", run.Output);
    }

    [Fact]
    public void Device_IsCuda_ExactlyWhenTorchSeesCuda()
    {
        var device = InfoCommand.Describe().Single(line => line.Name == "device").Value;
        Assert.Equal(TorchSharp.torch.cuda.is_available(), device.StartsWith("cuda", StringComparison.Ordinal));
    }
}
