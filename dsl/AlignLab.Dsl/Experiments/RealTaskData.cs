using System.Text.Json;
using System.Text.Json.Nodes;
using AlignLab.Engine.Datasets;
using AlignLab.Engine.Methods;
using AlignLab.Engine.Rewards;
using AlignLab.Engine.Runtime;
using AlignLab.Models;
using AlignLab.Models.Generation;
using AlignLab.Models.HuggingFace;
using AlignLab.Models.Tokenization;
using static TorchSharp.torch;

namespace AlignLab.Dsl;

/// <summary>
/// What a <see cref="RealTaskSpec"/> reads from disk, for one run: the policy's configuration and tokenizer, the good
/// prompts split into training and held-out evaluation prompts (left-padded id tensors with their masks, on the run's
/// device), the reward (loaded once, on first use) and the sampling options of every draw. Policies are loaded fresh
/// for each row (<see cref="LoadPolicy"/>), so no copy of the weights stays resident between rows.
/// </summary>
internal sealed class RealTaskData : IDisposable
{
    private readonly ComputeContext _context;
    private IRewardFunction? _reward;
    private (Tensor Prompts, Tensor Mask)? _train;
    private (Tensor Prompts, Tensor Mask)? _eval;

    private RealTaskData(RealTaskSpec spec, ComputeContext context, TransformerConfig config, ModelTokenizer tokenizer,
        IReadOnlyList<PromptRow> train, IReadOnlyList<PromptRow> eval)
    {
        Spec = spec;
        _context = context;
        Config = config;
        Tokenizer = tokenizer;
        TrainRows = train;
        EvalRows = eval;
        // The policy's end-token set, the one its log-probs stop at: samples stop at the first of them and rewards cut
        // there, so every sample's log-prob, reward and length describe the same response.
        EndTokens = config.EndTokens;
        Sampling = new SamplingOptions(spec.MaxResponseTokens, spec.Temperature, TopP: spec.TopP, EndTokens: EndTokens);
    }

    /// <summary>The task.</summary>
    public RealTaskSpec Spec { get; }

    /// <summary>The policy's config.json (with generation_config.json's end tokens).</summary>
    public TransformerConfig Config { get; }

    /// <summary>The policy's tokenizer.</summary>
    public ModelTokenizer Tokenizer { get; }

    /// <summary>The policy's end tokens (<see cref="TransformerConfig.EndTokens"/>; empty when it has none): a response ends at the first of them.</summary>
    public IReadOnlyList<long> EndTokens { get; }

    /// <summary>How every response is drawn (length, temperature, top-p, EOS).</summary>
    public SamplingOptions Sampling { get; }

    /// <summary>The training prompts, in split order.</summary>
    public IReadOnlyList<PromptRow> TrainRows { get; }

    /// <summary>The held-out evaluation prompts, in split order.</summary>
    public IReadOnlyList<PromptRow> EvalRows { get; }

    /// <summary>The training prompts as left-padded ids [N, P] and mask [N, P] (bool) on the run's device.</summary>
    public (Tensor Prompts, Tensor Mask) TrainPrompts => _train ??= Encode(TrainRows);

    /// <summary>The evaluation prompts as left-padded ids and mask on the run's device.</summary>
    public (Tensor Prompts, Tensor Mask) EvalPrompts => _eval ??= Encode(EvalRows);

    /// <summary>The reward: the reward-model folder (on the run's device and dtype) or the script's text reward.</summary>
    public IRewardFunction Reward => _reward ??= LoadReward();

    /// <summary>
    /// Reads the policy's configuration and tokenizer and the prompt file, and splits the prompts. Throws the loaders'
    /// exceptions (naming the file) for anything missing or malformed; <see cref="Problems"/> collects them instead.
    /// </summary>
    public static RealTaskData Open(RealTaskSpec spec, ComputeContext context)
    {
        var config = TransformerConfig.Read(Path.Combine(spec.Policy, HuggingFaceFolder.ConfigFile));
        var tokenizer = ModelTokenizer.Load(spec.Policy);
        var (train, eval) = Split(spec, ReadPrompts(spec, tokenizer).Rows);
        return new RealTaskData(spec, context, config, tokenizer, train, eval);
    }

    /// <summary>
    /// Every problem of <paramref name="spec"/>, one sentence each: settings out of range, a missing or malformed policy
    /// or reward folder (the loaders' own messages), a reward given twice or not at all, a bad prompt file (file and
    /// line), too few prompts for the split, prompts plus responses longer than the policy's context, and a best-of-n
    /// file that is unreadable or whose n differs from a method's (<paramref name="pairNs"/>: the n of each method that
    /// would train on it).
    /// </summary>
    public static IReadOnlyList<string> Problems(RealTaskSpec spec, IReadOnlyCollection<int> pairNs)
    {
        var problems = new List<string>();
        void Check(string what, Action check)
        {
            try { check(); }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
            {
                problems.Add($"{what}: {e.Message}");
            }
        }
        if (spec.MaxPromptTokens < 1) problems.Add($"maxPromptTokens must be >= 1 (got {spec.MaxPromptTokens}).");
        if (spec.MaxResponseTokens < 1) problems.Add($"maxResponseTokens must be >= 1 (got {spec.MaxResponseTokens}).");
        Check("sampling", () => new SamplingOptions(Math.Max(1, spec.MaxResponseTokens), spec.Temperature, TopP: spec.TopP).Validate());
        if (spec.TrainPrompts < 0) problems.Add($"trainPrompts must be >= 1, or 0 for every prompt not held out (got {spec.TrainPrompts}).");
        if (spec.EvalPrompts < 2) problems.Add($"evalPrompts must be >= 2: standard errors are taken over prompts (got {spec.EvalPrompts}).");
        if (spec.EvalSamplesPerPrompt < 1) problems.Add($"evalSamplesPerPrompt must be >= 1 (got {spec.EvalSamplesPerPrompt}).");
        if (spec.BatchSize < 1) problems.Add($"batchSize must be >= 1 (got {spec.BatchSize}).");

        TransformerConfig? config = null;
        ModelTokenizer? tokenizer = null;
        Check($"policy {spec.Policy}", () =>
        {
            MustExist(spec.Policy);
            config = TransformerConfig.Read(Path.Combine(spec.Policy, HuggingFaceFolder.ConfigFile));
            CheckWeights(spec.Policy);
            tokenizer = ModelTokenizer.Load(spec.Policy);
        });
        if (config is not null && spec.MaxPromptTokens + spec.MaxResponseTokens > config.MaxPositions)
            problems.Add($"maxPromptTokens {spec.MaxPromptTokens} + maxResponseTokens {spec.MaxResponseTokens} exceed the policy's context length {config.MaxPositions}.");

        if (spec.Reward is not null && spec.RewardFunction is not null)
            problems.Add("give the reward once: a reward-model folder or a rewardFunction, not both.");
        else if (spec.Reward is null && spec.RewardFunction is null)
            problems.Add("no reward: give a reward-model folder or a rewardFunction(prompt, response).");
        else if (spec.Reward is not null)
            Check($"reward {spec.Reward}", () =>
            {
                MustExist(spec.Reward);
                HuggingFaceFolder.ReadRewardModelConfig(spec.Reward);
                CheckWeights(spec.Reward);
            });

        Check($"prompts {spec.Prompts}", () =>
        {
            if (!File.Exists(spec.Prompts)) throw new FileNotFoundException("the file does not exist.");
            var rows = ReadPrompts(spec, tokenizer).Rows;
            int needed = spec.EvalPrompts + Math.Max(1, spec.TrainPrompts);
            if (rows.Count < needed)
                throw new InvalidDataException($"{rows.Count} good prompts, fewer than the {spec.EvalPrompts} evaluation + {Math.Max(1, spec.TrainPrompts)} training prompts asked for.");
        });

        if (spec.BestOfN is { } file)
            Check($"best-of-n file {file}", () =>
            {
                if (!File.Exists(file)) throw new FileNotFoundException("the file does not exist; build it with `alignlab bon build` or RealTaskSpec.BuildBestOfN.");
                // The first record's n (BestOfNPairs checks every record against it when a row reads the file).
                var first = File.ReadLines(file).FirstOrDefault(l => l.Length > 0)
                    ?? throw new InvalidDataException("the file holds no best-of-n record.");
                int n;
                try
                {
                    n = BestOfNFile.Parse(first).Samples.Count;
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{file}:1: not a best-of-n record ({e.Message}).", e);
                }
                foreach (var bad in pairNs.Where(m => m != n).Distinct())
                    problems.Add($"best-of-n file {file} holds {n} samples per prompt, but a method asks for best/worst of {bad}; use n: {n} or build a file with --n {bad}.");
            });
        return problems;
    }

    // A folder that exists; Tasks.Real has already taken a cached Hugging Face id as its snapshot, so an id left here is
    // one the hub cache lacks, and the resolver says how to download it.
    private static void MustExist(string folder)
    {
        if (Directory.Exists(folder)) return;
        if (HubCache.IsId(folder)) HubCache.Resolve(folder);
        throw new DirectoryNotFoundException("the folder does not exist.");
    }

    /// <summary>See <see cref="RealTaskSpec.BuildBestOfN"/>.</summary>
    public static string BuildBestOfN(RealTaskSpec spec, string path, int n, long seed, string? device, Action<string>? log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var problems = Problems(spec with { BestOfN = null }, []);
        if (problems.Count > 0) throw new ArgumentException($"cannot build best-of-n data for {spec.Name}: {string.Join(" ", problems)}");
        var full = Path.GetFullPath(path);
        var options = new GenerationOptions(n, spec.MaxResponseTokens, spec.Temperature, TopP: spec.TopP, Seed: seed).Validate();
        // Everything that decides the records: the same file continued with other settings would mix two builds.
        var settings = new JsonObject
        {
            ["policy"] = Path.GetFullPath(spec.Policy),
            ["reward"] = spec.Reward is null ? spec.RewardName : Path.GetFullPath(spec.Reward),
            ["prompts"] = Path.GetFullPath(spec.Prompts),
            ["prompt_field"] = spec.PromptField,
            ["chat_template"] = AlignLab.Models.Tokenization.ChatTemplate.RecordedOption(spec.ChatTemplate),
            ["max_prompt_tokens"] = spec.MaxPromptTokens,
            ["on_bad_row"] = spec.OnBadRow.ToString().ToLowerInvariant(),
            ["split_seed"] = spec.SplitSeed,
            ["eval_prompts"] = spec.EvalPrompts,
            ["train_prompts"] = spec.TrainPrompts,
            ["n"] = options.N,
            ["max_new_tokens"] = options.MaxNewTokens,
            ["temperature"] = options.Temperature,
            ["top_p"] = options.TopP,
            ["seed"] = options.Seed,
        };
        BestOfNFile.CheckSettings(full, settings);
        using var context = ComputeContext.Create(new ComputeOptions(seed, device));
        using var data = Open(spec, context);
        var rows = data.TrainRows;
        int done = BestOfNFile.Resume(full, i => i < rows.Count ? rows[i].Prompt : null);
        if (done == 0) BestOfNFile.WriteSettings(full, settings);
        if (done >= rows.Count)
        {
            log?.Invoke($"best-of-{n} data: {full} already holds all {rows.Count} training prompts");
            return full;
        }
        log?.Invoke($"best-of-{n} data: sampling {rows.Count - done} of {rows.Count} training prompts into {full}");
        using var model = data.LoadLanguageModel();
        var builder = new BestOfNBuilder(model, data.Reward, options);
        int step = Math.Max(1, rows.Count / 10);
        builder.Append(rows, done, full, i =>
        {
            if (i % step == 0 || i == rows.Count) log?.Invoke($"best-of-{n} data: {i}/{rows.Count} prompts");
        });
        return full;
    }

    /// <summary>Throws unless <paramref name="folder"/> has safetensors weights (checked tensor by tensor when a row loads them).</summary>
    private static void CheckWeights(string folder)
    {
        if (!File.Exists(Path.Combine(folder, HuggingFaceFolder.WeightsFile)) && !File.Exists(Path.Combine(folder, HuggingFaceFolder.IndexFile)))
            throw new FileNotFoundException($"no {HuggingFaceFolder.WeightsFile} or {HuggingFaceFolder.IndexFile} (only safetensors weights are read).");
    }

    /// <summary>A fresh copy of the policy on the run's device and dtype, in eval mode.</summary>
    public CausalLm LoadPolicy()
    {
        var model = HuggingFaceFolder.Load(Spec.Policy);
        try
        {
            return _context.Place(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The policy loaded as a <see cref="LanguageModel"/> (with its tokenizer) on the run's device and dtype.</summary>
    public LanguageModel LoadLanguageModel() => new(Path.GetFullPath(Spec.Policy), LoadPolicy(), Tokenizer);

    /// <summary>
    /// The offline data of <see cref="RealTaskSpec.BestOfN"/> for <paramref name="policy"/> (<see cref="BestOfNPairs"/>):
    /// best/worst pairs, or for SFT-BoN (<paramref name="keepTies"/>) the best responses with tied records kept. Records of
    /// held-out evaluation prompts are left out, so evaluation stays held out.
    /// </summary>
    public PreferenceDataset OfflinePairs(CausalLm policy, bool keepTies)
    {
        var file = Spec.BestOfN ?? throw new InvalidOperationException("the task has no best-of-n file.");
        // A view of the row's policy with the task's tokenizer, not disposed here: the row owns the weights.
        var model = new LanguageModel(Path.GetFullPath(Spec.Policy), policy, Tokenizer);
        using var read = BestOfNPairs.Read(file, model, new BestOfNPairOptions(DropTies: !keepTies));
        var held = EvalRows.Select(r => r.Prompt).ToHashSet(StringComparer.Ordinal);
        var rows = Enumerable.Range(0, read.Records.Count).Where(i => !held.Contains(read.Records[i].Prompt)).Select(i => (long)i).ToArray();
        if (rows.Length == 0) throw new InvalidDataException($"{file}: no record to train on: every prompt it holds is held out for evaluation.");
        using var index = tensor(rows, device: read.Pairs.Prompts.device);
        var pairs = read.Pairs;
        return new PreferenceDataset(pairs.Prompts.index_select(0, index), pairs.Chosen.index_select(0, index), pairs.Rejected.index_select(0, index),
            pairs.PromptMask?.index_select(0, index));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        (_reward as IDisposable)?.Dispose();
        if (_train is { } t) { t.Prompts.Dispose(); t.Mask.Dispose(); }
        if (_eval is { } e) { e.Prompts.Dispose(); e.Mask.Dispose(); }
    }

    private IRewardFunction LoadReward()
    {
        if (Spec.RewardFunction is { } function) return new TextReward(Spec.RewardName ?? "script reward", function, Tokenizer, EndTokens);
        var reward = SequenceClassifierReward.Load(Path.GetFullPath(Spec.Reward!), Tokenizer, Spec.BatchSize, EndTokens);
        _context.Place(reward.Model);
        return reward;
    }

    private static Dataset<PromptRow> ReadPrompts(RealTaskSpec spec, ModelTokenizer? tokenizer) =>
        DatasetReader.ReadPrompts(spec.Prompts, new DatasetOptions(PromptField: spec.PromptField, OnBadRow: spec.OnBadRow,
            MaxPromptLength: tokenizer is null ? null : spec.MaxPromptTokens, PromptLength: tokenizer is null ? null : p => tokenizer.EncodePrompt(p).Count,
            ChatTemplate: AlignLab.Models.Tokenization.ChatTemplate.FromOption(spec.ChatTemplate, spec.Policy)));

    /// <summary>
    /// The evaluation and training prompts: the rows shuffled by <see cref="RealTaskSpec.SplitSeed"/> (Fisher–Yates with
    /// .NET's seeded <see cref="Random"/>, stable across runs and machines), the first EvalPrompts held out, the next
    /// TrainPrompts (0: all the rest) for training.
    /// </summary>
    private static (IReadOnlyList<PromptRow> Train, IReadOnlyList<PromptRow> Eval) Split(RealTaskSpec spec, IReadOnlyList<PromptRow> rows)
    {
        var order = rows.ToArray();
        var random = new Random(unchecked((int)spec.SplitSeed ^ (int)(spec.SplitSeed >> 32)));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        int eval = Math.Min(spec.EvalPrompts, order.Length);
        int train = spec.TrainPrompts > 0 ? Math.Min(spec.TrainPrompts, order.Length - eval) : order.Length - eval;
        if (train < 1) throw new InvalidDataException($"{spec.Prompts}: {order.Length} good prompts leave none for training after {eval} held out for evaluation.");
        return (order[eval..(eval + train)], order[..eval]);
    }

    private (Tensor Prompts, Tensor Mask) Encode(IReadOnlyList<PromptRow> rows) =>
        PromptPadding.LeftPad([.. rows.Select(r => Tokenizer.EncodePrompt(r.Prompt))], EndTokens.Count > 0 ? EndTokens[0] : 0, _context.Device);
}
