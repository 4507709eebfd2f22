using System.Globalization;
using System.Text.RegularExpressions;

namespace AlignLab.Packaging.Tests;

/// <summary>
/// A throwaway console project outside the repository references AlignLab.Dsl from the packed feed, as a user's
/// project would, and runs: an exact best-of-n win rate (AlignLab.Theory) and one training step of a TinyGpt
/// (AlignLab.Engine on TorchSharp, whose native library needs AlignLab's run-time fix on Debian 12).
/// </summary>
[Collection(PackagingCollection.Name)]
public sealed class ConsumerProjectTests(PackedFeed feed)
{
    private const string Program = """
        using AlignLab.Engine.Policies;
        using AlignLab.Theory;
        using TorchSharp;
        using static TorchSharp.torch;

        var d = new RewardDistribution([0.5, 0.3, 0.2], [0.0, 1.0, 2.0]);
        Console.WriteLine(FormattableString.Invariant($"win rate {Measures.WinRate(Tilting.BestOfN(d, 4)):R}"));

        torch.manual_seed(0);
        using var model = new TinyGpt(new TinyGptConfig(VocabSize: 3, PromptLength: 2, DModel: 16, Heads: 2, Layers: 1, MaxLength: 5));
        using var optimizer = torch.optim.Adam(model.parameters(), 0.05);
        using var prompts = tensor(new long[] { 0, 1 }, 1, 2);
        using var responses = tensor(new long[] { 2, 2, 2 }, 1, 3);
        double Nll() { using var _ = no_grad(); using var lp = model.SequenceLogProbs(prompts, responses); return -lp.item<float>(); }
        double before = Nll();
        using (var loss = -model.SequenceLogProbs(prompts, responses).mean())
        {
            loss.backward();
            optimizer.step();
        }
        Console.WriteLine(FormattableString.Invariant($"nll {before:R} -> {Nll():R}"));
        Console.WriteLine($"OMP_WAIT_POLICY={Environment.GetEnvironmentVariable("OMP_WAIT_POLICY")}");
        """;

    [Fact]
    public void ConsoleProject_ReferencingAlignLabDslFromTheFeed_ComputesAWinRateAndTrainsATinyGptStep()
    {
        string project = feed.Scratch("consumer");
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="AlignLab.Dsl" Version="{feed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "NuGet.Config"), $"""
            <configuration>
              <packageSources>
                <add key="alignlab-feed" value="{feed.Folder}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(project, "Program.cs"), Program);

        // OMP_WAIT_POLICY removed, to see AlignLab's default apply in a process that did not set it.
        var run = ProcessRun.Start("dotnet", ["run"], project, TimeSpan.FromMinutes(10),
            new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = null }).Succeeded();

        // p = (.5, .3, .2) with distinct rewards: BoN_4 puts F^4 − F⁻^4 = (.0625, .3471, .5904) on the outcomes, whose win
        // scores F⁻ + p/2 are (.25, .65, .9), so W = .015625 + .225615 + .53136 = .7726 (THEORY.md §1–§2).
        Assert.Equal(0.7726, Number(run.Output, @"win rate ([\d.E-]+)"), 12);
        var nll = Regex.Match(run.Output, @"nll ([\d.E-]+) -> ([\d.E-]+)");
        Assert.True(nll.Success, run.Output);
        double before = double.Parse(nll.Groups[1].Value, CultureInfo.InvariantCulture);
        double after = double.Parse(nll.Groups[2].Value, CultureInfo.InvariantCulture);
        // An untrained model spreads mass over 3 tokens: about 3·log 3 nats; one Adam step on this sequence lowers it.
        Assert.InRange(before, 1.5, 6);
        Assert.True(after < before, $"one training step did not lower the NLL: {before} -> {after}");
        Assert.Contains("OMP_WAIT_POLICY=passive", run.Output);
    }

    private static double Number(string output, string pattern)
    {
        var match = Regex.Match(output, pattern);
        Assert.True(match.Success, $"no line matching '{pattern}' in:\n{output}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
