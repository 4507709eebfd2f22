using System.CommandLine;
using AlignLab.Models.HuggingFace;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Datasets;
using AlignLab.Models.Tokenization;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab bon build</c>: best-of-n data from a policy folder, a reward-model folder and a prompt file (issue 11,
/// item 3; docs/cli.md). Writes one JSON line per prompt (<see cref="BestOfNFile"/>) as it goes, so a killed run started
/// again with the same arguments continues after the last whole record and ends with the file an uninterrupted run
/// writes. The arguments that decide the records are kept beside the output (<c>OUT.settings.json</c>); continuing
/// with different ones is refused. Progress with ETA goes to stderr.
/// </summary>
public static class BonCommand
{
    /// <summary>Creates the <c>bon</c> command group.</summary>
    public static Command Create()
    {
        var command = new Command("bon", "Best-of-n data: sample n responses per prompt, score them with a reward model, keep best and worst.");
        command.Subcommands.Add(CreateBuild());
        return command;
    }

    private static Command CreateBuild()
    {
        var policy = new Option<string>("--policy") { Required = true, Description = "The policy: a Hugging Face model folder with a tokenizer." };
        var reward = new Option<string>("--reward") { Required = true, Description = "The reward model: a *ForSequenceClassification folder (one label)." };
        var prompts = new Option<string>("--prompts") { Required = true, Description = "Prompt file, JSONL or .parquet." };
        var promptField = new Option<string>("--prompt-field") { DefaultValueFactory = _ => "prompt", Description = "The field holding the prompt." };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "prompts", Description = "prompts (a text field) or hh (Anthropic-HH rows: the prompt is the chosen conversation up to its final \"Assistant:\")." };
        format.AcceptOnlyFromAmong("prompts", "hh");
        var chatTemplate = new Option<string>("--chat-template")
        {
            DefaultValueFactory = _ => "none",
            Description = "none (prompts as they are), auto (the policy folder's chat template: ChatML/Qwen, Llama-3, Llama-2, Mistral, Gemma or Zephyr), or a FILE holding a template with a {prompt} placeholder.",
        };
        var onBadRow = new Option<string>("--on-bad-row") { DefaultValueFactory = _ => "stop", Description = "stop at a bad row (missing or empty prompt, too long for the policy), or skip and count them." };
        onBadRow.AcceptOnlyFromAmong("stop", "skip");
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 8, Description = "Samples per prompt." };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 64, Description = "Most tokens per sample; a sample stops earlier at the policy's end-of-sequence token." };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0, Description = "Divides the logits (> 0)." };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0, Description = "Keep the k most likely tokens (0: all)." };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0, Description = "Keep the smallest set of tokens whose mass reaches p (1: all)." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0, Description = "Random seed; prompt i's samples depend only on (seed, i)." };
        var rewardBatch = new Option<int>("--reward-batch") { DefaultValueFactory = _ => 16, Description = "Rows per reward-model forward pass." };
        var device = new Option<string?>("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu)." };
        var output = new Option<string>("--out") { Required = true, Description = "The JSONL file to write (continued when it holds an earlier run's records)." };
        var command = new Command("build", "Sample n responses per prompt, score them, write all with rewards and log-probs plus best and worst indices.")
        {
            policy, reward, prompts, promptField, format, chatTemplate, onBadRow, n, maxNew, temperature, topK, topP, seed, rewardBatch, device, output,
        };
        command.SetAction(parseResult => UserErrors.Run(parseResult, "alignlab bon build", stdout =>
        {
            var options = new GenerationOptions(parseResult.GetValue(n), parseResult.GetValue(maxNew), parseResult.GetValue(temperature),
                parseResult.GetValue(topK), parseResult.GetValue(topP), parseResult.GetValue(seed)).Validate();
            var outPath = Path.GetFullPath(parseResult.GetValue(output)!);
            var settings = new JsonObject
            {
                // Folders, or Hugging Face ids resolved to their cached snapshot (recorded as the folder read).
                ["policy"] = HubCache.Resolve(parseResult.GetValue(policy)!),
                ["reward"] = HubCache.Resolve(parseResult.GetValue(reward)!),
                ["prompts"] = Path.GetFullPath(parseResult.GetValue(prompts)!),
                ["prompt_field"] = parseResult.GetValue(promptField),
                ["format"] = parseResult.GetValue(format),
                ["chat_template"] = ChatTemplate.RecordedOption(parseResult.GetValue(chatTemplate)!),
                ["on_bad_row"] = parseResult.GetValue(onBadRow),
                ["n"] = options.N,
                ["max_new_tokens"] = options.MaxNewTokens,
                ["temperature"] = options.Temperature,
                ["top_k"] = options.TopK,
                ["top_p"] = options.TopP,
                ["seed"] = options.Seed,
            };
            BestOfNFile.CheckSettings(outPath, settings);
            var error = parseResult.InvocationConfiguration.Error;

            using var model = Dsl.Models.Load(settings["policy"]!.GetValue<string>(), parseResult.GetValue(device));
            if (!model.HasTokenizer) throw new ArgumentException($"{model.Folder} has no tokenizer to read the prompts with.");
            var longest = model.Config.MaxPositions - options.MaxNewTokens;
            if (longest < 1) throw new ArgumentException($"--max-new-tokens {options.MaxNewTokens} leaves no room for a prompt in the policy's {model.Config.MaxPositions} positions.");
            var template = ChatTemplate.FromOption(settings["chat_template"]!.GetValue<string>(), model.Folder);
            if (template is not null) error.WriteLine($"prompts rendered with the {template}");
            var datasetOptions = new DatasetOptions(PromptField: parseResult.GetValue(promptField)!,
                OnBadRow: parseResult.GetValue(onBadRow) == "skip" ? BadRows.Skip : BadRows.Stop,
                MaxPromptLength: longest, PromptLength: p => model.EncodePrompt(p).Count, ChatTemplate: template);
            var rows = ReadPrompts(settings["prompts"]!.GetValue<string>(), parseResult.GetValue(format)!, datasetOptions, error);

            using var rewardModel = Dsl.Models.LoadReward(settings["reward"]!.GetValue<string>(), model, batchSize: parseResult.GetValue(rewardBatch));

            int done = BestOfNFile.Resume(outPath, i => i < rows.Count ? rows[i].Prompt : null);
            if (done == 0) BestOfNFile.WriteSettings(outPath, settings);
            else error.WriteLine($"continuing {outPath}: {done} of {rows.Count} prompts already done");

            var builder = new BestOfNBuilder(model, rewardModel, options);
            var progress = new BuildProgress(error, rows.Count, done, Interactive(error));
            builder.Append(rows, done, outPath, progress.Report);
            progress.Finish();
            Summarise(stdout, outPath, rows.Count, done);
        }));
        return command;
    }

    private static IReadOnlyList<PromptRow> ReadPrompts(string path, string format, DatasetOptions options, TextWriter error)
    {
        IReadOnlyList<PromptRow> rows;
        IReadOnlyList<DatasetError> skipped;
        if (format == "hh")
        {
            var data = DatasetReader.ReadConversations(path, options);
            (rows, skipped) = (data.Rows.Select(r => new PromptRow(r.Prompt, r.Line)).ToArray(), data.Skipped);
        }
        else
        {
            var data = DatasetReader.ReadPrompts(path, options);
            (rows, skipped) = (data.Rows, data.Skipped);
        }
        if (skipped.Count > 0)
        {
            error.WriteLine($"skipped {skipped.Count} bad row{(skipped.Count == 1 ? "" : "s")} of {path}:");
            foreach (var e in skipped.Take(20)) error.WriteLine($"  {e}");
            if (skipped.Count > 20) error.WriteLine($"  … and {skipped.Count - 20} more");
        }
        return rows;
    }

    private static void Summarise(TextWriter stdout, string outPath, int total, int resumedAfter)
    {
        var records = BestOfNFile.Read(outPath);
        double best = records.Average(r => r.Samples[r.Best].Reward), mean = records.Average(r => r.Samples.Average(s => s.Reward));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {total} prompts to {outPath}{(resumedAfter > 0 ? $" (continued after {resumedAfter})" : "")}: mean reward {mean:F4}, mean best-of-n reward {best:F4}"));
    }

    private static bool Interactive(TextWriter error) => ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;

    /// <summary>
    /// "bon build: 12/100 prompts (12%), 1.3 s/prompt, ETA 1m54s" on stderr: rewritten in place on a terminal, one
    /// line every 10 s otherwise (and at the end). The rate counts only this run's prompts.
    /// </summary>
    private sealed class BuildProgress(TextWriter error, int total, int start, bool interactive)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastShown = TimeSpan.FromSeconds(-10);
        private int _done;

        public void Report(int done)
        {
            _done = Math.Max(done, start);
            if (!interactive && _clock.Elapsed - _lastShown < TimeSpan.FromSeconds(10) && done < total) return;
            _lastShown = _clock.Elapsed;
            double perPrompt = _clock.Elapsed.TotalSeconds / Math.Max(1, done - start);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"bon build: {done}/{total} prompts ({100.0 * done / total:F0}%), {perPrompt:F2} s/prompt, ETA {Duration(perPrompt * (total - done))}");
            if (interactive) error.Write("\r" + line.PadRight(72));
            else error.WriteLine(line);
        }

        public void Finish()
        {
            if (interactive && _done > 0) error.WriteLine();
        }

        private static string Duration(double seconds) =>
            seconds >= 3600 ? $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):D2}m"
            : seconds >= 60 ? $"{(int)(seconds / 60)}m{(int)(seconds % 60):D2}s"
            : string.Create(CultureInfo.InvariantCulture, $"{seconds:F0}s");
    }
}
