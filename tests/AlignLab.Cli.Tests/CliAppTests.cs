namespace AlignLab.Cli.Tests;

public class CliAppTests
{
    [Fact]
    public void UnknownCommand_PrintsUsageOnStderr_AndFails()
    {
        var run = CliRun.Invoke("frobnicate");
        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("frobnicate", run.Error);
        Assert.Contains("Usage:", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public void UnknownOption_PrintsUsageOnStderr_AndFails()
    {
        var run = CliRun.Invoke("run", "x.csx", "--bogus");
        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--bogus", run.Error);
        Assert.Contains("Usage:", run.Error);
    }

    [Fact]
    public void NoCommand_PrintsUsage_AndFails()
    {
        var run = CliRun.Invoke();
        Assert.NotEqual(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Usage:", run.Error);
    }

    [Fact]
    public void Version_PrintsAlignLabVersion()
    {
        var run = CliRun.Invoke("--version");
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(AlignLabVersion.Version, run.Output.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Output);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("run", "--help")]
    [InlineData("info", "--help")]
    public void Help_IsAvailableForEveryCommand(params string[] args)
    {
        var run = CliRun.Invoke(args);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("Usage:", run.Output);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public void RootHelp_ListsEveryRegisteredCommand()
    {
        var run = CliRun.Invoke("--help");
        foreach (var command in CliApp.CreateRootCommand().Subcommands) Assert.Contains(command.Name, run.Output);
    }
}
