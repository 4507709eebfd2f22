using System.Text.Json.Nodes;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Runtime;
using AlignLab.Engine.Training;
using AlignLab.Models;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// Reward models trained by AlignLab on a real language model's trunk (issue 11, item 1): Bradley–Terry on preference
/// pairs, P(y_w ≻ y_l | x) = σ(r_φ(x, y_w) − r_φ(x, y_l)) (THEORY.md §7), where r_φ is the base's transformer body with
/// a fresh scalar score head read at the last real token (<see cref="SequenceClassificationModel.FromCausalLm"/>). The
/// result is a Hugging Face <c>*ForSequenceClassification</c> folder that <see cref="Models.LoadReward"/>, <c>alignlab
/// bon build</c> and transformers open. <c>alignlab reward train</c> is the command-line form.
/// </summary>
public static class RewardModels
{
    /// <summary>
    /// Trains a reward model on the trunk of the causal language model in <paramref name="baseFolder"/> from the pairs
    /// in <paramref name="pairsFile"/> and saves it to <paramref name="outFolder"/> (atomically; it must not exist yet, or
    /// be empty). The pairs are a JSONL or Parquet file of <c>prompt</c>/<c>chosen</c>/<c>rejected</c> text (field names
    /// and bad rows as <see cref="BradleyTerryOptions.Dataset"/> says) or an <c>alignlab bon build</c> output (best vs
    /// worst sample of each prompt; prompts whose best and worst texts are equal are left out and counted). Texts are
    /// tokenised with the base's tokenizer: the prompt as a prompt (BOS first when it adds one), each response on its
    /// own, as a policy's samples are scored. The distinct prompts are split, with <see cref="BradleyTerryOptions.ValidationFraction"/>
    /// of them held out, and the held-out pairwise accuracy ± standard error is measured after training.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The base folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The pairs file, the base's config, weights or tokenizer is missing.</exception>
    /// <exception cref="InvalidDataException">A bad row (its file and line named), or a malformed model folder.</exception>
    /// <exception cref="ArgumentException">Invalid options, a base that is already a classifier, an output folder in use.</exception>
    public static BradleyTerryResult TrainBradleyTerry(string baseFolder, string pairsFile, string outFolder, BradleyTerryOptions? options = null,
        IProgress<string>? log = null, Action<TrainingProgress>? progress = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(pairsFile);
        ArgumentException.ThrowIfNullOrWhiteSpace(outFolder);
        options = (options ?? new BradleyTerryOptions()).Validate();
        baseFolder = HubCache.Resolve(baseFolder);
        pairsFile = Path.GetFullPath(pairsFile);
        outFolder = Path.GetFullPath(outFolder);
        if (Directory.Exists(outFolder) && Directory.EnumerateFileSystemEntries(outFolder).Any())
            throw new ArgumentException($"the output folder '{outFolder}' already exists and is not empty; choose another or delete it.");
        CheckCausalLm(baseFolder);
        if (!ModelTokenizer.Exists(baseFolder)) throw new FileNotFoundException($"base model folder '{baseFolder}' has no tokenizer ({ModelTokenizer.FileNames}) to read the pairs with.");
        if (!File.Exists(pairsFile)) throw new FileNotFoundException($"pairs file '{pairsFile}' does not exist.", pairsFile);

        var tokenizer = ModelTokenizer.Load(baseFolder);
        using var trunk = HuggingFaceFolder.Load(baseFolder);
        var device = ComputeContext.ResolveDevice(options.Device);
        if (device.type != DeviceType.CPU) trunk.to(device);
        var endTokens = tokenizer.SpecialIds.Eos is { Count: > 0 } eos ? eos.Select(e => (long)e).ToArray() : trunk.ModelConfig.EosTokenIds?.ToArray() ?? [];
        var rows = ReadPairs(pairsFile, options.Dataset ?? new DatasetOptions(), log);
        using var pairs = Tokenize(rows, tokenizer, trunk.ModelConfig.MaxPositions, endTokens, options.Dataset?.OnBadRow ?? BadRows.Stop, pairsFile, log, device);
        log?.Report($"{pairs.Count} pairs from {pairsFile}; base {baseFolder} ({trunk.ModelConfig.ModelType}, {trunk.ParameterCount:N0} parameters)");

        using var trained = TrainBradleyTerry(trunk, pairs, options, endTokens, progress);
        if (trained.HeldOutAccuracy is { } accuracy) log?.Report($"held-out pairwise accuracy {accuracy}");
        trained.Save(outFolder, baseFolder, new JsonObject { ["base"] = baseFolder, ["pairs"] = pairsFile });
        log?.Report($"saved {trained.Model.ArchitectureName} to {outFolder}");
        return new BradleyTerryResult(outFolder, trained.HeldOutAccuracy, trained.TrainPairs, trained.ValidationPairs, trained.Last.Loss);
    }

    /// <summary>
    /// Trains a reward model on the trunk of <paramref name="trunk"/> (<see cref="SequenceClassificationModel.FromCausalLm"/>,
    /// head seeded with <see cref="BradleyTerryOptions.Seed"/>) from the token pairs <paramref name="pairs"/> (prompts
    /// left-padded with a <see cref="PreferenceDataset.PromptMask"/>, responses right-padded after one of
    /// <paramref name="endTokens"/>, which end a response), with <see cref="RewardModelMethod"/> in the shared
    /// <see cref="Trainer"/>. Rows with identical prompts form a group; <see cref="BradleyTerryOptions.ValidationFraction"/>
    /// of the groups (at least one when it is above 0) are held out and the model's pairwise accuracy on them is measured
    /// after training.
    /// The model is on the trunk's device; <paramref name="progress"/> gets the trainer's records.
    /// </summary>
    public static TrainedRewardModel TrainBradleyTerry(CausalLm trunk, PreferenceDataset pairs, BradleyTerryOptions options,
        IReadOnlyList<long> endTokens, Action<TrainingProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(trunk);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(endTokens);
        options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        var (trainRows, validationRows) = SplitByPrompt(pairs, options.ValidationFraction, options.Seed);
        using var train = Select(pairs, trainRows);
        using var validation = validationRows.Length > 0 ? Select(pairs, validationRows) : null;

        var model = SequenceClassificationModel.FromCausalLm(trunk, options.Seed);
        try
        {
            Tensor Score(Tensor prompts, Tensor responses, Tensor? mask) => model.ScoreResponses(prompts, responses, mask, endTokens);
            var trainer = new Trainer(new TrainerConfig(Steps: options.Steps, LearningRate: options.LearningRate, WarmupSteps: options.WarmupSteps,
                LogEvery: options.LogEvery, Seed: options.Seed));
            model.train();
            var result = trainer.Run(new RewardModelMethod(model, Score, train, new RewardModelConfig(options.BatchSize)), progress);
            model.eval();
            var accuracy = validation is null ? null : RewardModelMethod.PairwiseAccuracy(Score, validation, Math.Max(options.BatchSize, 64));
            return new TrainedRewardModel(model, accuracy, trainRows.Length, validationRows.Length, result.Last, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A folder whose config.json names a classifier is refused: its trunk is not a language model's.</summary>
    private static void CheckCausalLm(string folder)
    {
        var path = Path.Combine(folder, HuggingFaceFolder.ConfigFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"base model folder '{folder}' has no {HuggingFaceFolder.ConfigFile}.", path);
        JsonNode? json;
        try { json = JsonNode.Parse(File.ReadAllText(path)); }
        catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e); }
        var architectures = (json?["architectures"] as JsonArray)?.Select(a => a?.GetValueKind() == System.Text.Json.JsonValueKind.String ? a.GetValue<string>() : null).OfType<string>() ?? [];
        if (architectures.FirstOrDefault(a => a.EndsWith("ForSequenceClassification", StringComparison.Ordinal)) is { } classifier)
            throw new ArgumentException($"base model folder '{folder}' is a {classifier}, not a causal language model; give the language model whose trunk the reward model starts from.");
    }

    private static IReadOnlyList<PreferenceRow> ReadPairs(string path, DatasetOptions options, IProgress<string>? log)
    {
        if (!IsBestOfNFile(path))
        {
            var data = DatasetReader.ReadPreferences(path, options);
            foreach (var e in data.Skipped) log?.Report($"skipped {e}");
            return data.Rows;
        }
        var rows = new List<PreferenceRow>();
        int ties = 0;
        foreach (var record in BestOfNFile.Read(path))
        {
            string best = record.Samples[record.Best].Text, worst = record.Samples[record.Worst].Text;
            if (best == worst) ties++;
            else rows.Add(new PreferenceRow(record.Prompt, best, worst, record.Line));
        }
        if (ties > 0) log?.Report($"left out {ties} prompt{(ties == 1 ? "" : "s")} of {path} whose best and worst samples are the same text");
        if (rows.Count == 0) throw new InvalidDataException($"'{path}' has no prompt whose best and worst samples differ.");
        return rows;
    }

    /// <summary>Whether the file's first row is a best-of-n record (it has "samples", "best" and "worst").</summary>
    private static bool IsBestOfNFile(string path)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) return false;
        var first = File.ReadLines(path).FirstOrDefault(l => l.Trim().Length > 0);
        try
        {
            return first is not null && JsonNode.Parse(first) is JsonObject o && o["samples"] is JsonArray && o["best"] is not null && o["worst"] is not null;
        }
        catch (System.Text.Json.JsonException)
        {
            return false; // the dataset reader reports the line
        }
    }

    /// <summary>
    /// The pairs as tensors: prompts left-padded (mask), responses each followed by the end token and right-padded with
    /// it. A pair longer than the model's positions is a bad row (stopped at or skipped as <paramref name="onBadRow"/> says).
    /// </summary>
    private static PreferenceDataset Tokenize(IReadOnlyList<PreferenceRow> rows, ModelTokenizer tokenizer, int maxPositions,
        IReadOnlyList<long> endTokens, BadRows onBadRow, string path, IProgress<string>? log, Device device)
    {
        var encoded = new List<(IReadOnlyList<int> Prompt, IReadOnlyList<int> Chosen, IReadOnlyList<int> Rejected)>(rows.Count);
        int skipped = 0;
        foreach (var row in rows)
        {
            var (prompt, chosen, rejected) = (tokenizer.EncodePrompt(row.Prompt), tokenizer.Encode(row.Chosen), tokenizer.Encode(row.Rejected));
            int longest = prompt.Count + Math.Max(chosen.Count, rejected.Count);
            if (longest > maxPositions)
            {
                var error = new DatasetError(path, row.Line, $"the pair is {longest} tokens long; the base model has {maxPositions} positions.");
                if (onBadRow == BadRows.Stop) throw new InvalidDataException(error.ToString());
                log?.Report($"skipped {error}");
                skipped++;
                continue;
            }
            encoded.Add((prompt, chosen, rejected));
        }
        if (encoded.Count == 0) throw new InvalidDataException($"'{path}' has no pair that fits the base model's {maxPositions} positions.");
        int responseWidth = encoded.Max(e => Math.Max(e.Chosen.Count, e.Rejected.Count));
        bool sameLength = encoded.All(e => e.Chosen.Count == responseWidth && e.Rejected.Count == responseWidth);
        if (!sameLength && endTokens.Count == 0)
            throw new ArgumentException("the base model names no end-of-sequence token (eos_token_id), so responses of different lengths cannot be padded.");
        // One end token after every response when they differ in length; it is never scored (responses end before it).
        if (!sameLength) responseWidth++;
        int promptWidth = encoded.Max(e => e.Prompt.Count), n = encoded.Count;
        long pad = endTokens.Count > 0 ? endTokens[0] : 0;
        var prompts = new long[n, promptWidth];
        var mask = new bool[n, promptWidth];
        var chosenIds = new long[n, responseWidth];
        var rejectedIds = new long[n, responseWidth];
        for (int i = 0; i < n; i++)
        {
            var (prompt, chosen, rejected) = encoded[i];
            for (int j = 0; j < prompt.Count; j++)
            {
                prompts[i, promptWidth - prompt.Count + j] = prompt[j];
                mask[i, promptWidth - prompt.Count + j] = true;
            }
            for (int t = 0; t < responseWidth; t++)
            {
                chosenIds[i, t] = t < chosen.Count ? chosen[t] : pad;
                rejectedIds[i, t] = t < rejected.Count ? rejected[t] : pad;
            }
        }
        return new PreferenceDataset(tensor(prompts, device: device), tensor(chosenIds, device: device), tensor(rejectedIds, device: device),
            encoded.All(e => e.Prompt.Count == promptWidth) ? null : tensor(mask, device: device));
    }

    /// <summary>
    /// Row indices of the training and held-out pairs: the distinct prompts (a row's real prompt tokens) shuffled with
    /// <paramref name="seed"/>, ⌈fraction · prompts⌉ of them held out with all their pairs, so no held-out prompt is trained on.
    /// </summary>
    private static (long[] Train, long[] Validation) SplitByPrompt(PreferenceDataset pairs, double fraction, long seed)
    {
        int n = (int)pairs.Count;
        if (fraction == 0) return (Enumerable.Range(0, n).Select(i => (long)i).ToArray(), []);
        using var promptsCpu = pairs.Prompts.cpu();
        using var maskCpu = pairs.PromptMask?.to(ScalarType.Int64).cpu();
        var ids = promptsCpu.data<long>().ToArray();
        var mask = maskCpu?.data<long>().ToArray();
        int width = (int)pairs.Prompts.shape[1];
        var groups = new Dictionary<string, List<long>>();
        var order = new List<string>();
        for (int i = 0; i < n; i++)
        {
            var key = string.Join(",", Enumerable.Range(i * width, width).Where(j => mask is null || mask[j] != 0).Select(j => ids[j]));
            if (!groups.TryGetValue(key, out var members))
            {
                groups[key] = members = [];
                order.Add(key);
            }
            members.Add(i);
        }
        if (order.Count < 2)
            throw new ArgumentException($"a held-out split needs at least 2 distinct prompts (the pairs have {order.Count}); set the validation fraction to 0.");
        var random = new Random(unchecked((int)seed));
        var shuffled = order.OrderBy(_ => random.Next()).ToArray();
        int held = Math.Clamp((int)Math.Ceiling(fraction * shuffled.Length), 1, shuffled.Length - 1);
        long[] Rows(IEnumerable<string> keys) => keys.SelectMany(k => groups[k]).Order().ToArray();
        return (Rows(shuffled.Skip(held)), Rows(shuffled.Take(held)));
    }

    private static PreferenceDataset Select(PreferenceDataset pairs, long[] rows)
    {
        using var index = tensor(rows, device: pairs.Prompts.device);
        return new PreferenceDataset(pairs.Prompts.index_select(0, index), pairs.Chosen.index_select(0, index), pairs.Rejected.index_select(0, index),
            pairs.PromptMask?.index_select(0, index));
    }
}
