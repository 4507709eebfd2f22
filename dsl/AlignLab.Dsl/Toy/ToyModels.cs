using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Dsl.Results;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Policies;
using AlignLab.Engine.Tasks;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// The enumerable toy task as the files a real experiment reads (issue 11, item 7): its pretrained base as a Hugging Face
/// GPT-2 folder with a tokenizer, a reward model trained by AlignLab on the base's trunk, and the prompts as text. The real
/// path (folders, tokenizers, <c>bon build</c>, Monte-Carlo evaluation) can then be run on a task where every quantity is
/// also known exactly by enumeration, and checked against it.
/// </summary>
public static class ToyModels
{
    /// <summary>Name of the file in an export's folder that records what it holds; written last, so its presence means complete.</summary>
    public const string ManifestFile = "export.json";

    /// <summary>Preference pairs of base samples per prompt that the reward model is trained and evaluated on.</summary>
    public const int RewardPairsPerPrompt = 64;

    /// <summary>
    /// The Bradley–Terry recipe of the exported reward model: 300 AdamW steps of 64 pairs at learning rate 3e-3 (a small
    /// trunk trained from its pretrained state), a quarter of the prompts held out. The seed is the base's.
    /// </summary>
    public static BradleyTerryOptions RewardRecipe(long seed) =>
        new(Steps: 300, LearningRate: 3e-3, BatchSize: 64, Seed: seed, ValidationFraction: 0.25, LogEvery: 50, Device: "cpu");

    // Bump when what an export writes changes, so an older export in the same folder is not reused.
    private const int ExportVersion = 1;

    /// <summary>
    /// Writes the toy <paramref name="task"/> (default <see cref="Tasks.ToyLanguage"/>) with the base of
    /// <paramref name="scale"/> (default <see cref="ExperimentScale.Default"/>; the task's own base when it names one) to
    /// <paramref name="folder"/>:
    /// <list type="bullet">
    /// <item><c>policy/</c>: the pretrained base (<see cref="ToyTask.LoadOrPretrainBase"/>, the model cache) as a GPT-2
    /// folder, whose log-probs are the base's; a <c>tokenizer.json</c> writing symbol s as one character ('a' … for
    /// V ≤ 26); no end token, so sampling with a maximum length of L (generation_config.json: max/min_new_tokens L)
    /// gives exactly the toy's responses of L symbols.</item>
    /// <item><c>reward/</c>: a Bradley–Terry reward model (<see cref="RewardModels"/>, <see cref="RewardRecipe"/>) on the
    /// base's trunk, trained on <see cref="RewardPairsPerPrompt"/> pairs of base samples per prompt labelled by the gold
    /// reward; its held-out pairwise accuracy ± standard error is reported to <paramref name="log"/> and recorded.</item>
    /// <item><c>prompts.jsonl</c>: the prompts as text, field <c>prompt</c>.</item>
    /// </list>
    /// Deterministic for the task and base (the base's seed also seeds the pairs and the reward training). Idempotent: a
    /// folder already holding a complete export of the same task and base is reused as it is. The export is written to a
    /// temporary folder and renamed, so a killed export leaves nothing and is redone. A folder holding anything else is an
    /// <see cref="ArgumentException"/>.
    /// </summary>
    public static ToyModelFolders ExportHuggingFace(string folder, TaskSpec? task = null, ExperimentScale? scale = null, IProgress<string>? log = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        task ??= Tasks.ToyLanguage();
        var baseConfig = (task.Base ?? (scale ?? ExperimentScale.Default).EffectiveBase).Validate();
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var folders = new ToyModelFolders(Path.Combine(full, "policy"), Path.Combine(full, "reward"), Path.Combine(full, "prompts.jsonl"));
        var key = ModelCache.Key(task.Config, baseConfig, RewardRecipe(baseConfig.Seed), RewardPairsPerPrompt, ExportVersion);
        if (Reusable(full, key, log)) return folders;

        var clock = Stopwatch.StartNew();
        using var toy = new ToyTask(task.Config);
        using var model = toy.LoadOrPretrainBase(baseConfig, task.CacheDirectory);
        log?.Report($"toy export: base {toy.Config.VocabSize} symbols, prompts of {toy.Config.PromptLength}, responses of {toy.Config.ResponseLength} ({model.ParameterCount:N0} parameters)");
        try
        {
            AtomicFolder.Write(full, temp => Write(temp, toy, model, baseConfig, key, log));
        }
        catch (IOException) when (Reusable(full, key, null))
        {
            // Another process finished the same export first.
        }
        log?.Report(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"toy export: wrote {full} in {clock.Elapsed.TotalSeconds:F1} s"));
        return folders;
    }

    private static void Write(string folder, ToyTask toy, TinyGpt model, ToyBaseConfig baseConfig, string key, IProgress<string>? log)
    {
        var config = toy.Config;
        var indented = new JsonSerializerOptions { WriteIndented = true };
        var policy = Path.Combine(folder, "policy");
        HuggingFaceFolder.Save(model, policy);
        ToyTokenizer.Write(policy, config.VocabSize, model.ModelConfig.MaxPositions);
        // Responses are exactly L symbols: no end token, so generation must run to L new tokens.
        var generation = new JsonObject
        {
            ["do_sample"] = true,
            ["max_new_tokens"] = config.ResponseLength,
            ["min_new_tokens"] = config.ResponseLength,
            ["temperature"] = 1.0,
            ["top_k"] = 0,
            ["top_p"] = 1.0,
        };
        File.WriteAllText(Path.Combine(policy, "generation_config.json"), generation.ToJsonString(indented));

        File.WriteAllLines(Path.Combine(folder, "prompts.jsonl"),
            toy.Language.Prompts.Select(p => new JsonObject { ["prompt"] = ToyTokenizer.Text(p) }.ToJsonString()));

        var recipe = RewardRecipe(baseConfig.Seed);
        using var generator = new Generator((ulong)baseConfig.Seed);
        using var pairs = PreferenceDataset.FromBase(model, toy.Prompts, RewardPairsPerPrompt, toy.GoldReward, PairLabeling.Deterministic,
            labelNoise: 0, new SamplingOptions(config.ResponseLength), generator);
        using var reward = RewardModels.TrainBradleyTerry(model, pairs, recipe, endTokens: []);
        var accuracy = reward.HeldOutAccuracy!;
        log?.Report($"toy export: reward model held-out pairwise accuracy {accuracy} on pairs of base samples labelled by the gold reward");
        reward.Save(Path.Combine(folder, "reward"), policy, new JsonObject { ["pairs"] = "base samples labelled by the toy task's gold reward", ["pairs_per_prompt"] = RewardPairsPerPrompt });

        var manifest = new JsonObject
        {
            ["key"] = key,
            ["task"] = JsonSerializer.SerializeToNode(config),
            ["base"] = JsonSerializer.SerializeToNode(baseConfig),
            ["symbols"] = ToyTokenizer.Alphabet[..config.VocabSize],
            ["gold_reward"] = $"count of '{ToyTokenizer.Alphabet[config.TargetSymbol]}'" + (config.RewardTies ? "" : " plus the tie-breaker Σ_t y_t·V^(−t)"),
            ["reward_held_out_accuracy"] = new JsonObject { ["value"] = accuracy.Value, ["standard_error"] = accuracy.StandardError, ["pairs"] = accuracy.SampleCount },
        };
        File.WriteAllText(Path.Combine(folder, ManifestFile), manifest.ToJsonString(indented));
    }

    /// <summary>
    /// True when <paramref name="folder"/> holds a complete export with <paramref name="key"/>; false when it does not
    /// exist or is empty; otherwise (another export, or other files) an <see cref="ArgumentException"/>.
    /// </summary>
    private static bool Reusable(string folder, string key, IProgress<string>? log)
    {
        if (!Directory.Exists(folder) || !Directory.EnumerateFileSystemEntries(folder).Any()) return false;
        var manifest = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifest))
            throw new ArgumentException($"'{folder}' is not empty and holds no toy export ({ManifestFile}); choose another folder or delete it.");
        string? stored;
        try
        {
            stored = (JsonNode.Parse(File.ReadAllText(manifest)) as JsonObject)?["key"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new ArgumentException($"'{manifest}' is not a toy export manifest ({e.Message}); choose another folder or delete it.", e);
        }
        if (stored != key)
            throw new ArgumentException($"'{folder}' holds a toy export of another task, base or export version; choose another folder or delete it.");
        log?.Report($"toy export: reusing the complete export in {folder}");
        return true;
    }
}
