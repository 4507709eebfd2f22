using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl;
using AlignLab.Engine.Rewards;
using AlignLab.Tests;

namespace AlignLab.Cli.Tests;

/// <summary>
/// <c>alignlab bon build</c> on a tiny GPT-2 policy (byte-level BPE) and a tiny Llama reward model (SentencePiece, so
/// responses are re-encoded): records hold every sample with its exact policy log-prob and reward; a run SIGKILLed
/// mid-way and started again ends with the bytes of an uninterrupted run; bad input exits 2 with one line.
/// </summary>
public sealed class BonCommandTests : IDisposable
{
    private readonly TinyModelFolder _policy = TinyModelFolder.Gpt2(seed: 1);
    private readonly TinyModelFolder _reward = TinyModelFolder.LlamaReward(seed: 2);
    private readonly string _dir = Directory.CreateTempSubdirectory("alignlab-bon-").FullName;

    public void Dispose()
    {
        _policy.Dispose();
        _reward.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string Prompts(int count, string? extraLine = null)
    {
        var path = Path.Combine(_dir, $"prompts{count}.jsonl");
        var lines = Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new { prompt = $"Question {i}: why is the sky" }));
        File.WriteAllLines(path, extraLine is null ? lines : lines.Take(1).Append(extraLine).Concat(lines.Skip(1)));
        return path;
    }

    private string[] Args(string prompts, string output, params string[] extra) => ArgsWith(4, 8, prompts, output, extra);

    private string[] ArgsWith(int n, int maxNewTokens, string prompts, string output, params string[] extra) =>
        ["bon", "build", "--policy", _policy.Path, "--reward", _reward.Path, "--prompts", prompts, "--n", $"{n}", "--max-new-tokens", $"{maxNewTokens}",
         "--seed", "7", "--out", output, .. extra];

    [Fact]
    public void Records_hold_every_sample_with_its_policy_log_prob_reward_and_the_best_and_worst()
    {
        var output = Path.Combine(_dir, "pairs.jsonl");
        var run = CliRun.Invoke(Args(Prompts(3), output));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("wrote 3 prompts", run.Output);
        Assert.Contains("ETA", run.Error);
        var records = BestOfNFile.Read(output);
        Assert.Equal([0, 1, 2], records.Select(r => r.Index));
        Assert.Equal([1, 2, 3], records.Select(r => r.Line));

        using var policy = Dsl.Models.Load(_policy.Path);
        using var reward = SequenceClassifierReward.Load(_reward.Path, policy.Tokenizer);
        Assert.True(reward.Reencodes);
        foreach (var record in records)
        {
            Assert.Equal(4, record.Samples.Count);
            var rewards = record.Samples.Select(s => s.Reward).ToArray();
            Assert.Equal(rewards.Max(), rewards[record.Best]);
            Assert.Equal(rewards.Min(), rewards[record.Worst]);
            var promptIds = policy.EncodePrompt(record.Prompt);
            foreach (var sample in record.Samples)
            {
                // log π(y|x): the policy's own per-token log-probs of the response positions, summed.
                var exact = policy.LogProbs([.. promptIds, .. sample.Ids]).Skip(promptIds.Count - 1).Sum();
                Assert.Equal(exact, sample.LogProb, 1e-4);
                if (sample.Finished) Assert.Contains(sample.Ids[^1], policy.EosIds);
                else Assert.Equal(8, sample.Ids.Count);
                // The reward of the decoded text, scored directly with the reward model's tokenizer.
                Assert.Equal(reward.ScoreTexts([record.Prompt], [sample.Text])[0], sample.Reward, 1e-5);
            }
        }
        Assert.True(records.SelectMany(r => r.Samples).Select(s => s.Text).Distinct().Count() > 6, "samples should differ");
    }

    [Fact]
    public void Hh_rows_give_the_conversation_up_to_its_final_assistant_turn_as_the_prompt()
    {
        var path = Path.Combine(_dir, "hh.jsonl");
        const string prompt = "\n\nHuman: Hi\n\nAssistant: Yo\n\nHuman: Ok\n\nAssistant:";
        File.WriteAllLines(path, [JsonSerializer.Serialize(new { chosen = prompt + " Sure.", rejected = prompt + " No." })]);
        var output = Path.Combine(_dir, "hh-pairs.jsonl");
        var run = CliRun.Invoke(Args(path, output, "--format", "hh"));
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(prompt, Assert.Single(BestOfNFile.Read(output)).Prompt);
    }

    [Fact]
    public void A_chat_template_renders_the_prompts_from_the_policy_folder_or_a_file_and_is_refused_where_it_cannot()
    {
        var prompts = Path.Combine(_dir, "hi.jsonl");
        File.WriteAllLines(prompts, [JsonSerializer.Serialize(new { prompt = "Hi" })]);
        string Run(string template, string name, string said, string format = "prompts", string? file = null)
        {
            var output = Path.Combine(_dir, name);
            var run = CliRun.Invoke(ArgsWith(2, 4, file ?? prompts, output, "--chat-template", template, "--format", format));
            Assert.True(run.ExitCode == 0, run.Error);
            Assert.Contains($"prompts rendered with the {said}", run.Error);
            return Assert.Single(BestOfNFile.Read(output)).Prompt;
        }

        // auto needs the folder's own template: without one, one line naming the folder and saying what to pass.
        var none = CliRun.Invoke(ArgsWith(2, 4, prompts, Path.Combine(_dir, "none.jsonl"), "--chat-template", "auto"));
        Assert.Equal(ExitCodes.InvalidInput, none.ExitCode);
        Assert.Equal($"alignlab bon build: {_policy.Path} has no chat template (chat_template in tokenizer_config.json, or chat_template.jinja); pass one: a text with a {{prompt}} placeholder.", none.Error.Trim());

        // Zephyr's template (TinyLlama-Chat), with this tokenizer's EOS as its eos_token.
        var zephyr = JsonNode.Parse(File.ReadAllText(Path.Combine(ChatFixtures(), "zephyr", "tokenizer_config.json")))!.AsObject();
        zephyr["eos_token"] = "<|eot_id|>";
        File.WriteAllText(Path.Combine(_policy.Path, "tokenizer_config.json"), zephyr.ToJsonString());
        Assert.Equal("<|user|>\nHi<|eot_id|>\n<|assistant|>\n", Run("auto", "auto.jsonl", $"Zephyr chat template ({Path.Combine(_policy.Path, "tokenizer_config.json")})"));

        var qa = Path.Combine(_dir, "qa.txt");
        File.WriteAllText(qa, "Q: {prompt}\nA:");
        Assert.Equal("Q: Hi\nA:", Run(qa, "file.jsonl", $"{{prompt}} template ({qa})"));

        // An HH row's earlier turns go through the template too, so a single-turn template refuses a longer conversation.
        var hh = Path.Combine(_dir, "hh.jsonl");
        const string conversation = "\n\nHuman: Hi\n\nAssistant: Yo\n\nHuman: Ok\n\nAssistant:";
        File.WriteAllLines(hh, [JsonSerializer.Serialize(new { chosen = conversation + " Sure.", rejected = conversation + " No." })]);
        Assert.Equal("<|user|>\nHi<|eot_id|>\n<|assistant|>\nYo<|eot_id|>\n<|user|>\nOk<|eot_id|>\n<|assistant|>\n", Run("auto", "hh-auto.jsonl", "Zephyr", "hh", hh));
        var multi = CliRun.Invoke(ArgsWith(2, 4, hh, Path.Combine(_dir, "hh-qa.jsonl"), "--chat-template", qa, "--format", "hh"));
        Assert.Equal(ExitCodes.InvalidInput, multi.ExitCode);
        Assert.Contains($"hh.jsonl:1: the chat template of {qa} has a {{prompt}} placeholder, so it takes one user turn; got 3 turns", multi.Error);
    }

    [Fact]
    public void A_truncated_file_is_continued_to_the_uninterrupted_bytes_and_other_settings_are_refused()
    {
        var prompts = Prompts(4);
        string whole = Path.Combine(_dir, "whole.jsonl"), cut = Path.Combine(_dir, "cut.jsonl");
        Assert.Equal(0, CliRun.Invoke(Args(prompts, whole)).ExitCode);
        var bytes = File.ReadAllBytes(whole);

        // Two whole records and half of the third, as a kill mid-write leaves it.
        Assert.Equal(0, CliRun.Invoke(Args(prompts, cut)).ExitCode);
        int second = IndexOfNth(bytes, (byte)'\n', 2);
        File.WriteAllBytes(cut, bytes[..(second + 1 + 40)]);
        var resumed = CliRun.Invoke(Args(prompts, cut));
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("2 of 4 prompts already done", resumed.Error);
        Assert.Equal(bytes, File.ReadAllBytes(cut));

        var other = CliRun.Invoke(Args(prompts, cut, "--temperature", "0.7"));
        Assert.Equal(ExitCodes.InvalidInput, other.ExitCode);
        Assert.Contains("was started with temperature 1, not 0.7", other.Error);
        Assert.Single(other.Error.Trim().Split('\n'));
    }

    [Fact]
    public void Bad_input_is_one_line_and_exit_code_2()
    {
        var output = Path.Combine(_dir, "bad.jsonl");
        var badRow = CliRun.Invoke(Args(Prompts(2, """{"prompt": ""}"""), output));
        Assert.Equal(ExitCodes.InvalidInput, badRow.ExitCode);
        Assert.Contains("prompts2.jsonl:2: \"prompt\" is empty.", badRow.Error);
        Assert.False(File.Exists(output));

        var skipped = CliRun.Invoke(Args(Prompts(2, """{"text": "x"}"""), output, "--on-bad-row", "skip"));
        Assert.True(skipped.ExitCode == 0, skipped.Error);
        Assert.Contains("skipped 1 bad row", skipped.Error);
        Assert.Equal([1, 3], BestOfNFile.Read(output).Select(r => r.Line));

        // The policy has 64 positions: with 8 new tokens a prompt may have 56 tokens.
        var tooLong = CliRun.Invoke(Args(Prompts(2, JsonSerializer.Serialize(new { prompt = string.Join(" ", Enumerable.Repeat("word", 80)) })), Path.Combine(_dir, "long.jsonl")));
        Assert.Equal(ExitCodes.InvalidInput, tooLong.ExitCode);
        Assert.Matches(@"prompts2\.jsonl:2: the prompt is \d+ long; the limit is 56\.", tooLong.Error);

        var lmAsReward = CliRun.Invoke(["bon", "build", "--policy", _policy.Path, "--reward", _policy.Path, "--prompts", Prompts(1), "--max-new-tokens", "8", "--out", Path.Combine(_dir, "x.jsonl")]);
        Assert.Equal(ExitCodes.InvalidInput, lmAsReward.ExitCode);
        Assert.Contains("not a *ForSequenceClassification reward model", lmAsReward.Error);
        Assert.StartsWith("alignlab bon build: ", lmAsReward.Error);
    }

    [Fact]
    public async Task A_run_killed_with_SIGKILL_and_started_again_writes_the_file_of_an_uninterrupted_run()
    {
        // Enough work that the run is still going when its first records appear.
        var prompts = Prompts(80);
        string whole = Path.Combine(_dir, "whole.jsonl"), killed = Path.Combine(_dir, "killed.jsonl");
        Assert.Equal(0, CliRun.Invoke(ArgsWith(8, 24, prompts, whole)).ExitCode);

        using (var process = Process.Start(Alignlab(ArgsWith(8, 24, prompts, killed)))!)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && Lines(killed) < 5 && clock.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(5);
            if (process.HasExited) Assert.Fail($"the run ended before it could be killed: {await stderr}");
            process.Kill(entireProcessTree: true); // SIGKILL: no handler runs
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        int before = Lines(killed);
        Assert.InRange(before, 5, 79);

        var resumed = CliRun.Invoke(ArgsWith(8, 24, prompts, killed));
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Contains("prompts already done", resumed.Error);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(killed));
    }

    // The model tests' real chat templates (tests/AlignLab.Models.Tests/Tokenization/Fixtures/chat), found from this file.
    private static string ChatFixtures([CallerFilePath] string path = "") =>
        Path.Combine(Path.GetDirectoryName(path)!, "..", "AlignLab.Models.Tests", "Tokenization", "Fixtures", "chat");

    private static int Lines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            int count = 0, b;
            while ((b = stream.ReadByte()) >= 0) if (b == '\n') count++;
            return count;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static int IndexOfNth(byte[] bytes, byte value, int nth)
    {
        for (int i = 0, seen = 0; i < bytes.Length; i++)
            if (bytes[i] == value && ++seen == nth) return i;
        return -1;
    }

    /// <summary>The built alignlab executable beside the test assembly, run directly or through dotnet.</summary>
    private static ProcessStartInfo Alignlab(string[] args)
    {
        string directory = AppContext.BaseDirectory;
        string host = Path.Combine(directory, OperatingSystem.IsWindows() ? "alignlab.exe" : "alignlab");
        var info = File.Exists(host)
            ? new ProcessStartInfo(host)
            : new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { ArgumentList = { Path.Combine(directory, "alignlab.dll") } };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        return info;
    }
}
