using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl;
using AlignLab.Models.Tokenization;

namespace AlignLab.Cli.Commands;

/// <summary>
/// <c>alignlab model info|logprobs|generate DIR</c>: a Hugging Face model folder at a glance, the log-probability of
/// each token of a text or id sequence, and sampled continuations of a prompt (issue 10, item 6; docs/cli.md). Bad
/// input (missing folder, no config.json, unknown architecture, ids outside the vocabulary, empty text) prints one line
/// on stderr and exits with <see cref="ExitCodes.InvalidInput"/>.
/// </summary>
public static class ModelCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Token text is printed as it is (é, 東京), not as \u escapes.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Creates the <c>model</c> command group.</summary>
    public static Command Create()
    {
        var command = new Command("model", "Inspect, score with and sample from a Hugging Face model folder (config.json + safetensors + tokenizer).");
        command.Subcommands.Add(CreateInfo());
        command.Subcommands.Add(CreateLogProbs());
        command.Subcommands.Add(CreateGenerate());
        return command;
    }

    private static Argument<string> FolderArgument() => new("DIR") { Description = "The model folder." };

    private static Option<bool> JsonOption() => new("--json") { Description = "Print JSON instead of text." };

    private static Option<string?> DeviceOption() =>
        new("--device") { Description = "cpu, cuda or cuda:N (default: cuda when available, else cpu); the model computes in float32." };

    private static Command CreateInfo()
    {
        var folder = FolderArgument();
        var json = JsonOption();
        var command = new Command("info",
            "Architecture, parameter count, dtype and size on disk, shape, vocabulary, context length, tokenizer, chat template and end tokens; "
            + "reads config.json, the tokenizer files and the safetensors headers, never the weights.") { folder, json };
        command.SetAction(parseResult => Guarded(parseResult, "info", output =>
        {
            var info = Dsl.Models.Info(parseResult.GetValue(folder)!);
            if (parseResult.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(info, Json));
            else WriteInfo(output, info);
        }));
        return command;
    }

    private static void WriteInfo(TextWriter output, ModelInfo info)
    {
        if (!info.Supported)
        {
            output.WriteLine($"{"folder:",-15}{info.Folder}");
            output.WriteLine($"{"architecture:",-15}{info.Architecture}{(info.ModelClass is { } c ? $" ({c})" : "")}");
            output.WriteLine($"{"supported:",-15}no: {info.Unsupported}");
            output.WriteLine($"{"weights:",-15}{Bytes(info.BytesOnDisk)} in {info.WeightFiles.Count} safetensors file{(info.WeightFiles.Count == 1 ? "" : "s")}");
            return;
        }
        var head = info.Labels switch
        {
            null => "language model",
            1 => "reward model (sequence classifier, 1 label)",
            var labels => $"sequence classifier with {labels} labels (a reward model has 1)",
        };
        var lines = new List<(string, string)>
        {
            ("folder", info.Folder),
            ("architecture", info.Architecture + (info.ModelClass is { } cls ? $" ({cls})" : "")),
            ("kind", head),
            ("parameters", info.Parameters.ToString("N0", CultureInfo.InvariantCulture)),
            ("dtype on disk", $"{string.Join(", ", info.DtypesOnDisk)}; {Bytes(info.BytesOnDisk)} in {(info.WeightFiles.Count == 1 ? info.WeightFiles[0] : $"{info.WeightFiles.Count} shards")}"),
            ("vocabulary", $"{info.VocabSize:N0} (model)" + (info.Tokenizer is { } t ? $", {t.VocabularySize:N0} (tokenizer)" : "")),
            ("context", $"{info.ContextLength:N0} positions"),
            ("shape", $"{info.Layers} layers, hidden {info.HiddenSize}, MLP {info.IntermediateSize}, {info.Heads} heads ({info.KeyValueHeads} key/value)"),
            ("tokenizer", info.Tokenizer is { } tok
                ? $"{tok.Kind} ({tok.File}); BOS {Id(tok.Bos)}{(tok.AddsBos ? " (starts prompts)" : "")}; EOS {(tok.Eos.Count > 0 ? string.Join(", ", tok.Eos) : "none")}; pad {Id(tok.Pad)}"
                : $"none (no {ModelTokenizer.FileNames})"),
            ("chat template", info.ChatTemplate switch
            {
                null => "none",
                ModelInfo.UnsupportedChatTemplate => "of a family AlignLab does not render (pass a template with a {prompt} placeholder)",
                var family => family,
            }),
            ("end tokens", info.EndTokens.Count > 0 ? string.Join(", ", info.EndTokens) : "none"),
            ("positions", info.Rope is { } rope ? $"rotary: {rope}" : "learned"),
            ("attention", Attention(info)),
            ("supported", "yes"),
        };
        if (info.LabelNames is { } names) lines.Insert(3, ("labels", names.Count > 0 ? string.Join(", ", names.Select((n, i) => $"{i} {n}")) : "none named"));
        foreach (var (name, value) in lines) output.WriteLine($"{name + ":",-15}{value}");

        static string Id(int? id) => id?.ToString(CultureInfo.InvariantCulture) ?? "none";
    }

    // Sliding windows and soft caps: "full on every layer", "window 4096 on layers 0, 2, …; scores capped at 50".
    private static string Attention(ModelInfo info)
    {
        var parts = new List<string>();
        if (info.SlidingLayers is { } layers)
            parts.Add(layers.Count == info.Layers
                ? $"sliding window {info.SlidingWindow} on every layer"
                : $"sliding window {info.SlidingWindow} on {layers.Count} of {info.Layers} layers ({string.Join(", ", layers.Take(6))}{(layers.Count > 6 ? ", …" : "")}), full on the others");
        else parts.Add("full on every layer");
        if (info.AttentionSoftcap is { } a) parts.Add($"scores capped at {a.ToString(CultureInfo.InvariantCulture)}·tanh(x/{a.ToString(CultureInfo.InvariantCulture)})");
        if (info.FinalSoftcap is { } f) parts.Add($"logits capped at {f.ToString(CultureInfo.InvariantCulture)}");
        return string.Join("; ", parts);
    }

    /// <summary>A byte count in decimal units (as file managers and the Hugging Face Hub show sizes): "497.8 MB".</summary>
    private static string Bytes(long bytes)
    {
        string[] units = ["bytes", "kB", "MB", "GB", "TB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} bytes" : value.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static Command CreateLogProbs()
    {
        var folder = FolderArgument();
        var text = new Option<string>("--text") { Description = "The text to score, tokenised as a prompt (BOS first when the tokenizer adds one)." };
        var ids = new Option<string>("--ids") { HelpName = "1,2,3", Description = "Token ids to score as given (nothing added, no BOS)." };
        var json = JsonOption();
        var device = DeviceOption();
        var command = new Command("logprobs", "Print log p(ids[i+1] | ids[0..i]) for each token after the first.") { folder, text, ids, json, device };
        command.SetAction(parseResult => Guarded(parseResult, "logprobs", output =>
        {
            string? textValue = parseResult.GetValue(text), idsValue = parseResult.GetValue(ids);
            if ((textValue is null) == (idsValue is null)) throw new ArgumentException("give exactly one of --text and --ids.");
            var tokens = idsValue is not null ? ParseIds(idsValue) : null;
            if (textValue is { Length: 0 }) throw new ArgumentException("--text is empty.");
            using var model = Load(parseResult, folder, device);
            if (textValue is not null && !model.HasTokenizer) throw new ArgumentException($"{model.Folder} has no tokenizer ({ModelTokenizer.FileNames}): use --ids.");
            tokens ??= model.EncodePrompt(textValue!);
            var logProbs = model.LogProbs(tokens);
            if (parseResult.GetValue(json))
                output.WriteLine(new JsonObject { ["ids"] = new JsonArray([.. tokens.Select(i => (JsonNode)i)]), ["logprobs"] = new JsonArray([.. logProbs.Select(l => (JsonNode)l)]) }.ToJsonString(Json));
            else WriteLogProbs(output, model, tokens, logProbs);
        }));
        return command;
    }

    private static IReadOnlyList<int> ParseIds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && parts[0].Length == 0) throw new ArgumentException("--ids is empty.");
        var ids = new int[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]))
                throw new ArgumentException($"--ids: '{parts[i]}' (item {i + 1}) is not an integer token id.");
        }
        return ids;
    }

    private static void WriteLogProbs(TextWriter output, LanguageModel model, IReadOnlyList<int> ids, double[] logProbs)
    {
        output.WriteLine($"{"i",5} {"id",8}  {"token",-20} {"log p",12}");
        for (var i = 0; i < ids.Count; i++)
        {
            var token = model.HasTokenizer ? Escape(model.Tokenizer.TokenOf(ids[i]) ?? "") : "";
            var value = i == 0 ? "" : logProbs[i - 1].ToString("F4", CultureInfo.InvariantCulture);
            output.WriteLine($"{i,5} {ids[i],8}  {token,-20} {value,12}");
        }
        if (logProbs.Length == 0) return;
        var sum = logProbs.Sum();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sum {sum:F4} over {logProbs.Length} predicted tokens (mean {sum / logProbs.Length:F4}, perplexity {Math.Exp(-sum / logProbs.Length):G6})"));
    }

    private static Command CreateGenerate()
    {
        var folder = FolderArgument();
        var prompt = new Option<string>("--prompt") { Required = true, Description = "The prompt text (BOS first when the tokenizer adds one)." };
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 4, Description = "Samples to draw (they share the prompt's KV cache)." };
        var maxNew = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 64, Description = "Most tokens per sample; a sample stops earlier at an end-of-sequence token." };
        var temperature = new Option<double>("--temperature") { DefaultValueFactory = _ => 1.0, Description = "Divides the logits (> 0)." };
        var topK = new Option<int>("--top-k") { DefaultValueFactory = _ => 0, Description = "Keep the k most likely tokens (0: all)." };
        var topP = new Option<double>("--top-p") { DefaultValueFactory = _ => 1.0, Description = "Keep the smallest set of tokens whose mass reaches p, in (0, 1] (1: all)." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 0, Description = "Random seed: the same seed gives the same samples." };
        var json = JsonOption();
        var device = DeviceOption();
        var command = new Command("generate", "Sample continuations of a prompt.") { folder, prompt, n, maxNew, temperature, topK, topP, seed, json, device };
        command.SetAction(parseResult => Guarded(parseResult, "generate", output =>
        {
            var options = new GenerationOptions(parseResult.GetValue(n), parseResult.GetValue(maxNew), parseResult.GetValue(temperature),
                parseResult.GetValue(topK), parseResult.GetValue(topP), parseResult.GetValue(seed)).Validate();
            var promptText = parseResult.GetValue(prompt)!;
            if (promptText.Length == 0) throw new ArgumentException("--prompt is empty.");
            using var model = Load(parseResult, folder, device);
            if (!model.HasTokenizer) throw new ArgumentException($"{model.Folder} has no tokenizer ({ModelTokenizer.FileNames}) to read the prompt with.");
            var promptIds = model.EncodePrompt(promptText);
            var samples = model.Generate(promptText, options);
            if (parseResult.GetValue(json))
            {
                var result = new JsonObject
                {
                    ["prompt"] = promptText,
                    ["promptIds"] = new JsonArray([.. promptIds.Select(i => (JsonNode)i)]),
                    ["samples"] = new JsonArray([.. samples.Select(s => (JsonNode)new JsonObject
                    {
                        ["ids"] = new JsonArray([.. s.Ids.Select(i => (JsonNode)i)]),
                        ["text"] = s.Text,
                        ["logprob"] = s.LogProb,
                        ["finished"] = s.Finished,
                    })]),
                };
                output.WriteLine(result.ToJsonString(Json));
                return;
            }
            output.WriteLine($"prompt ({promptIds.Count} tokens): {promptText}");
            foreach (var s in samples)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"--- sample {s.Sample} ({s.Ids.Count} tokens, log q = {s.LogProb:F3}, {(s.Finished ? "ended at EOS" : "hit --max-new-tokens")}) ---"));
                output.WriteLine(s.Text);
            }
        }));
        return command;
    }

    // A large folder takes a while to read: show how far along it is, on an interactive terminal only (never in
    // redirected or captured output, which stays exactly the command's result).
    private static LanguageModel Load(ParseResult parseResult, Argument<string> folder, Option<string?> device)
    {
        var error = parseResult.InvocationConfiguration.Error;
        var interactive = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected;
        var progress = interactive ? new LoadingProgress(error) : null;
        try
        {
            return Dsl.Models.Load(parseResult.GetValue(folder)!, parseResult.GetValue(device), progress);
        }
        finally
        {
            progress?.Finish();
        }
    }

    /// <summary>"loading weights: 40%" rewritten in place every 5 percentage points, synchronously.</summary>
    private sealed class LoadingProgress(TextWriter error) : IProgress<double>
    {
        private int _shown = -1;

        public void Report(double value)
        {
            var percent = (int)Math.Floor(100 * Math.Clamp(value, 0, 1) / 5) * 5;
            if (percent <= _shown) return;
            _shown = percent;
            error.Write($"\rloading weights: {percent,3}%");
        }

        public void Finish()
        {
            if (_shown >= 0) error.Write("\r" + new string(' ', 24) + "\r");
        }
    }

    private static string Escape(string token) => token.Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");

    /// <summary>Runs a subcommand body; a user mistake becomes one line on stderr and exit code 2.</summary>
    private static int Guarded(ParseResult parseResult, string name, Action<TextWriter> body) =>
        UserErrors.Run(parseResult, $"alignlab model {name}", body);
}
