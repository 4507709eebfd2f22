using System.Text.Json;
using AlignLab.Models.HuggingFace;
using AlignLab.Tests;

namespace AlignLab.Cli.Tests;

/// <summary>
/// <c>alignlab reward train</c> on a tiny GPT-2 folder: writes a one-label GPT2ForSequenceClassification folder, prints
/// the held-out accuracy, shows progress with ETA; bad input exits 2 with one line naming the problem.
/// </summary>
public sealed class RewardCommandTests : IDisposable
{
    private readonly TinyModelFolder _base = TinyModelFolder.Gpt2(seed: 6);
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-reward-cli-").FullName;

    public void Dispose()
    {
        _base.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Pairs(params string[] extraLines)
    {
        var path = Path.Combine(_dir, $"pairs-{extraLines.Length}.jsonl");
        var lines = Enumerable.Range(0, 24).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i % 6}:", chosen = " yes" + new string('!', i % 3), rejected = " no" }));
        File.WriteAllLines(path, lines.Concat(extraLines));
        return path;
    }

    private string[] Args(string baseFolder, string pairs, string output, params string[] extra) =>
        ["reward", "train", "--base", baseFolder, "--pairs", pairs, "--out", output, "--lr", "3e-3", "--batch", "8", "--seed", "2",
         "--validation-fraction", "0.3", "--device", "cpu", .. extra.Contains("--steps") ? extra : ["--steps", "12", .. extra]];

    [Fact]
    public void Trains_saves_the_classifier_folder_and_prints_the_held_out_accuracy()
    {
        var output = Path.Combine(_dir, "reward");
        var run = CliRun.Invoke(Args(_base.Path, Pairs(), output));
        Assert.True(run.ExitCode == 0, run.Error);
        // 2 of the 6 prompts held out, 4 pairs each.
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(run.Output,
            @"^wrote .*reward: held-out pairwise accuracy [0-9.]+ ± [0-9.e-]+ \(n = 8\); trained on 16 pairs, final loss [0-9.]+\r?\n$"), run.Output);
        Assert.Contains("reward train  step 12/12 (100%)", run.Error);
        Assert.Contains("ETA", run.Error);
        using var model = HuggingFaceFolder.LoadRewardModel(output);
        Assert.Equal("GPT2ForSequenceClassification", model.ArchitectureName);
        Assert.True(File.Exists(Path.Combine(output, "tokenizer.json")));
        Assert.Equal(["reward"], Directory.GetFileSystemEntries(_dir).Where(Directory.Exists).Select(Path.GetFileName));
    }

    [Fact]
    public void Bad_input_exits_2_with_one_line()
    {
        using var classifier = TinyModelFolder.LlamaReward();
        var pairs = Pairs();
        var cases = new (string[] Args, string Message)[]
        {
            (Args(Path.Combine(_dir, "missing"), pairs, Path.Combine(_dir, "o1")), "does not exist"),
            (Args(classifier.Path, pairs, Path.Combine(_dir, "o2")), "is a LlamaForSequenceClassification, not a causal language model"),
            (Args(_base.Path, Pairs("{\"prompt\": \"x\", \"chosen\": \"\", \"rejected\": \"b\"}"), Path.Combine(_dir, "o3")), "pairs-1.jsonl:25: \"chosen\" is empty."),
            (Args(_base.Path, Path.Combine(_dir, "none.jsonl"), Path.Combine(_dir, "o4")), "none.jsonl' does not exist"),
            (Args(_base.Path, pairs, Path.Combine(_dir, "o5"), "--steps", "0"), "steps must be >= 1 (got 0)."),
            (Args(_base.Path, pairs, _base.Path), "already exists and is not empty"),
        };
        foreach (var (args, message) in cases)
        {
            var run = CliRun.Invoke(args);
            Assert.True(run.ExitCode == 2, $"{message}: exit {run.ExitCode}, {run.Error}");
            var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Single(lines);
            Assert.StartsWith("alignlab reward train: ", lines[0]);
            Assert.Contains(message, lines[0]);
        }
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).Contains('o'));
    }

    [Fact]
    public void Bad_rows_can_be_skipped_and_are_reported()
    {
        var run = CliRun.Invoke(Args(_base.Path, Pairs("{\"prompt\": \"x\"}", "not json"), Path.Combine(_dir, "skipped"), "--on-bad-row", "skip"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("pairs-2.jsonl:25: \"chosen\" is missing or null.", run.Error);
        Assert.Contains("pairs-2.jsonl:26: the line is not valid JSON", run.Error);
    }
}
