namespace AlignLab.Packaging.Tests;

/// <summary>
/// The alignlab tool installed from the packed feed into a temporary tool path, as the README shows, then run from a
/// folder outside the repository.
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class ToolInstallTests(PackedFeed feed)
{
    [Fact]
    public void Tool_InstallsFromTheFeed_CarriesOnlyLinuxLibTorch_AndRunsInfoAndTheQuickstart()
    {
        string tools = feed.Scratch("tools");
        string work = feed.Scratch("tool-work");
        ProcessRun.Start("dotnet", ["tool", "install", "AlignLab.Cli", "--version", feed.Version, "--add-source", feed.Folder, "--tool-path", tools],
            work, TimeSpan.FromMinutes(10)).Succeeded();
        string alignlab = Path.Combine(tools, "alignlab");

        var version = ProcessRun.Start(alignlab, ["--version"], work, TimeSpan.FromMinutes(1)).Succeeded();
        Assert.StartsWith(feed.Version, version.Output.Trim());

        // The platform-specific package holds linux-x64's libtorch and no other platform's.
        var files = Directory.GetFiles(tools, "*", SearchOption.AllDirectories).Select(Path.GetFileName).ToHashSet();
        Assert.Contains("libtorch_cpu.so", files);
        Assert.DoesNotContain("torch_cpu.dll", files);
        Assert.DoesNotContain("libtorch_cpu.dylib", files);
        Assert.DoesNotContain("libtorch_python.so", files);

        // `info` loads libtorch (device, thread count): the tool's unpatched libLibTorchSharp.so goes through the run-time fix.
        var info = ProcessRun.Start(alignlab, ["info"], work, TimeSpan.FromMinutes(2)).Succeeded();
        Assert.Matches(@"device:\s+cpu", info.Output);

        string script = Path.Combine(Repository.Root, "scripts", "quickstart.csx");
        var run = ProcessRun.Start(alignlab, ["run", script, "--out", Path.Combine(work, "out")], work, TimeSpan.FromMinutes(5)).Succeeded();
        Assert.Contains("wrote ", run.Output);
        Assert.True(File.Exists(Path.Combine(work, "out", "frontier.html")), run.Output);
        Assert.Contains(",", File.ReadAllLines(Path.Combine(work, "out", "frontier.csv"))[0]);
    }
}
